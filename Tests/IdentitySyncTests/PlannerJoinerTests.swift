import Foundation
import Testing

@testable import IdentitySync

@Suite struct PlannerJoinerTests {
    let ana = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")

    @Test func joinerGetsAccountRoleGroupsAndEnrollmentFlag() {
        let plan = Fixtures.plan([ana], Fixtures.directory([], groups: ["all-staff": [], "nursing": [],
                                                                         "ehr-users": [], "mfa-enroll": []]))
        let dn = "uid=agarcia,\(peopleDN)"
        #expect(summaries(plan) == [
            "create-account \(dn)",
            "add-to-group \(dn) -> cn=all-staff,\(groupsDN)",
            "add-to-group \(dn) -> cn=ehr-users,\(groupsDN)",
            "add-to-group \(dn) -> cn=nursing,\(groupsDN)",
            "flag-mfa-enrollment \(dn) -> cn=mfa-enroll,\(groupsDN)",
        ])
        let create = plan.changes[0]
        #expect(create.state == "idsync:v1;created-on=2024-03-15;enroll")
        #expect(create.category == .joiner)
        #expect(create.attributes.first == AttributeEdit(name: "objectClass", before: [],
                                                          after: ["inetOrgPerson", "idsyncAccount"]))
        #expect(plan.summary.joiners == 1)
    }

    /// The logins of the John Smiths a plan creates, in feed order, where `taken` are in use.
    func smithLogins(_ count: Int, taken: Set<String>, config: Config = Fixtures.config()) -> [String] {
        let smiths = (1...count).map { Fixtures.person("00050\($0)", "John", "Smith") }
        let plan = Fixtures.plan(smiths, Fixtures.directory([], taken: taken), config: config)
        return changes(plan, .createAccount).map { $0.dn.components(separatedBy: ",")[0] }
    }

    @Test func namesakesInOneRunTakeTheFreeNumbersInOrder() {
        #expect(smithLogins(4, taken: ["jsmith", "jsmith3@example.org", "jsmith5"])
                == ["uid=jsmith2", "uid=jsmith4", "uid=jsmith6", "uid=jsmith7"])
    }

    @Test func missingManagedGroupsAreCreatedFirstWithThePlaceholder() {
        let plan = Fixtures.plan([ana], Fixtures.directory([], groups: ["all-staff": []]))
        let creations = plan.changes.prefix { $0.kind == .createGroup }
        #expect(creations.map(\.dn) == ["cn=ehr-users,\(groupsDN)", "cn=mfa-enroll,\(groupsDN)",
                                         "cn=nursing,\(groupsDN)"])
        #expect(creations.allSatisfy { $0.target == Fixtures.placeholder.string })
        #expect(changes(plan, .createGroup).count == 3)
    }

    @Test func personWhoAlreadyLeftAndHasNoAccountGetsNone() {
        let gone = Fixtures.person("000101", status: .terminated, terminated: "2024-02-29")
        let plan = Fixtures.plan([gone], Fixtures.directory([]))
        #expect(plan.changes.isEmpty)
    }

    @Test func contractorIsCreatedInTheContractorsContainer() {
        let locum = Fixtures.person("000300", "Sam", "Lee", jobCode: "MD01", department: "Medicine",
                                    workerType: "Locum", contractEnds: "2024-06-30")
        let plan = Fixtures.plan([locum], Fixtures.directory([], groups: Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, []) })))
        #expect(only(.createAccount, in: plan)?.dn == "uid=slee,\(Fixtures.contractors.string)")
        #expect(changes(plan, .addToGroup).compactMap(\.target).contains("cn=contractors,\(groupsDN)"))
    }

    @Test func preHireInsideTheWindowIsCreatedDisabledWithoutGroups() {
        let starter = Fixtures.person("000400", "Noor", "Khan", hired: "2024-03-25")
        let plan = Fixtures.plan([starter], Fixtures.directory([]))
        #expect(summaries(plan) == ["create-account uid=nkhan,\(peopleDN)"])
        #expect(plan.changes[0].state == "idsync:v1;disabled=prehire;disabled-on=2024-03-15;created-on=2024-03-15")
    }

    @Test func preHireOutsideTheWindowGetsNothing() {
        let starter = Fixtures.person("000400", "Noor", "Khan", hired: "2024-03-30")
        #expect(Fixtures.plan([starter], Fixtures.directory([])).changes.isEmpty)
    }

    @Test func preHireWithNoWindowGetsNothing() {
        let config = Fixtures.config { $0.policy.preHireDays = 0 }
        let starter = Fixtures.person("000400", "Noor", "Khan", hired: "2024-03-16")
        #expect(Fixtures.plan([starter], Fixtures.directory([]), config: config).changes.isEmpty)
    }

    @Test func preHireAccountIsEnabledOnTheStartDateWithEnrollment() {
        let starter = Fixtures.person("000400", "Noor", "Khan", hired: "2024-03-15")
        let (account, _) = Fixtures.synced(starter, login: "nkhan", state: Fixtures.disabledState(.prehire))
        var locked = account
        locked.lock = .administrative
        let plan = Fixtures.plan([starter], Fixtures.directory([locked], groups: Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, []) })))
        let enable = only(.enable, in: plan)
        #expect(enable?.category == .joiner)
        #expect(enable?.state == "idsync:v1;enroll")
        #expect(changes(plan, .addToGroup).count == 3)
        #expect(only(.flagMFAEnrollment, in: plan)?.target == "cn=mfa-enroll,\(groupsDN)")
    }
}

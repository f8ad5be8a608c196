import Foundation
import Testing

@testable import IdentitySync

@Suite struct PlannerMoverTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")
    let dn = Fixtures.personDN("agarcia")

    /// The directory after a perfect run for `person`, plus memberships in `extra` groups.
    func directory(for person: Person, extra: [String] = [], state: AccountState = AccountState())
        -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(person, login: "agarcia", state: state)
        var members = Dictionary(uniqueKeysWithValues: (Fixtures.allGroups + ["vpn-users"]).map { ($0, [DistinguishedName]()) })
        for group in groups + extra { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    @Test func accountAlreadyInTheDesiredStateGetsAnEmptyPlan() {
        let plan = Fixtures.plan([nurse], directory(for: nurse))
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        #expect(plan.findings.isEmpty)
    }

    @Test func changedHRFieldUpdatesOnlyThatAttribute() {
        var renamed = nurse
        renamed.lastName = "Garcia-Lopez"
        let plan = Fixtures.plan([renamed], directory(for: nurse))
        let update = only(.setAttributes, in: plan)
        #expect(update?.attributes.map(\.name) == ["cn", "sn"])
        #expect(update?.attributes.last == AttributeEdit(name: "sn", before: ["Garcia"], after: ["Garcia-Lopez"]))
        #expect(update?.state == nil)
        #expect(plan.changes.count == 1)
        #expect(update?.login == "agarcia", "the login never follows a name change")
    }

    /// A title edited by hand in the directory was set back with the audited reason "HR
    /// fields changed", though HR had not changed.
    @Test func aValueEditedInTheDirectoryIsSetBackWithoutClaimingHRChanged() {
        var edited = nurse
        edited.jobTitle = "Administrator"
        let plan = Fixtures.plan([nurse], directory(for: edited))
        let update = only(.setAttributes, in: plan)
        #expect(update?.attributes.map(\.name) == ["title"])
        #expect(update?.reason.text.contains("HR fields changed") == false)
        #expect(update?.reason.text.contains("edited outside idsync") == true)
    }

    /// A department renamed in HR moved people out of their groups with no word in the plan.
    @Test func aDepartmentNoRuleMatchesIsNamedWhenItsPeopleLoseTheirRoleGroups() {
        var renamed = nurse
        renamed.department = "Nursing Services"
        let plan = Fixtures.plan([renamed], directory(for: nurse))
        #expect(changes(plan, .removeFromGroup).count == 2, "\(summaries(plan))")
        expectFinding(plan, .unmatchedHRValue,
                      containing: "HR department 'Nursing Services' is matched by no role or "
                        + "placement rule, and 1 person with it loses role groups")
        #expect(!plan.needsAttention)

        var moved = nurse
        moved.department = "ICU"
        let matched = Fixtures.plan([moved], directory(for: nurse))
        #expect(!matched.findings.contains { $0.kind == .unmatchedHRValue })

        // A contractor made an employee loses a group granted by worker type: their job code
        // and department are no cause of it.
        var contractor = nurse
        contractor.workerType = "Contractor"
        var employee = contractor
        employee.workerType = "Full-Time"
        employee.jobCode = "XX99"
        let converted = Fixtures.plan([employee], directory(for: contractor))
        #expect(changes(converted, .removeFromGroup).count == 1, "\(summaries(converted))")
        #expect(!converted.findings.contains { $0.kind == .unmatchedHRValue })
    }

    @Test func accessGrowthAddsGroupsAndRequiresReverification() {
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let plan = Fixtures.plan([superuser], directory(for: nurse))
        #expect(changes(plan, .addToGroup).map(\.target) == ["cn=ehr-superusers,\(groupsDN)"])
        #expect(changes(plan, .removeFromGroup).isEmpty)
        let reverify = only(.requireMFAReverification, in: plan)
        #expect(reverify?.target == "cn=mfa-reverify,\(groupsDN)")
        #expect(reverify?.reason.text.contains("privileged") == true)
        #expect(only(.setAttributes, in: plan)?.state == "idsync:v1;reverify=2024-03-15T17:00:00Z",
                "the demand carries the run's instant: only a sign-in after it counts")
    }

    @Test func secondMoveWhileReverificationIsPendingAddsNoSecondFlag() {
        var pending = AccountState()
        pending.reverificationPending = true
        var physician = nurse
        physician.department = "Cardiology"
        physician.jobCode = "MD01"
        let plan = Fixtures.plan([physician], directory(for: nurse, extra: ["mfa-reverify"], state: pending))
        #expect(changes(plan, .requireMFAReverification).isEmpty, "already in the flag group: adding again fails with 20")
        #expect(changes(plan, .addToGroup).map(\.target) == ["cn=physicians,\(groupsDN)"])
        #expect(changes(plan, .removeFromGroup).map(\.target) == ["cn=nursing,\(groupsDN)"])
    }

    @Test func joinerWhoseGroupsWereNeverAddedIsNotAskedToReverify() {
        var enrolling = AccountState()
        enrolling.enrollmentPending = true
        enrolling.createdOn = Fixtures.date("2024-03-15")
        let (account, _) = Fixtures.synced(nurse, login: "agarcia", state: enrolling)
        let empty = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [DistinguishedName]()) })
        let plan = Fixtures.plan([nurse], Fixtures.directory([account], groups: empty))
        #expect(!changes(plan, .addToGroup).isEmpty)
        #expect(changes(plan, .requireMFAReverification).isEmpty)
    }

    @Test func accessGrowingOnALaterDayIsReverifiedEvenBeforeEnrollment() {
        var enrolling = AccountState()
        enrolling.enrollmentPending = true
        enrolling.createdOn = Fixtures.date("2024-03-01")
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let plan = Fixtures.plan([superuser], directory(for: nurse, extra: ["mfa-enroll"], state: enrolling))
        #expect(only(.requireMFAReverification, in: plan) != nil)
    }

    @Test func accessThatOnlyShrinksNeedsNoReverification() {
        var moved = nurse
        moved.department = "Facilities"
        let plan = Fixtures.plan([moved], directory(for: nurse))
        #expect(changes(plan, .removeFromGroup).map(\.target) == ["cn=ehr-users,\(groupsDN)", "cn=nursing,\(groupsDN)"])
        #expect(changes(plan, .addToGroup).isEmpty)
        #expect(changes(plan, .requireMFAReverification).isEmpty)
        #expect(only(.setAttributes, in: plan)?.state == nil)
    }

    @Test func groupNoRuleNamesIsNeverTouched() {
        var moved = nurse
        moved.department = "Facilities"
        let plan = Fixtures.plan([moved], directory(for: nurse, extra: ["vpn-users"]))
        #expect(!plan.changes.contains { $0.target?.contains("vpn-users") == true })
    }

    @Test func contractorMovesToItsContainer() {
        var converted = nurse
        converted.workerType = "Contractor"
        let plan = Fixtures.plan([converted], directory(for: nurse))
        let move = only(.move, in: plan)
        #expect(move?.dn == dn.string)
        #expect(move?.target == "uid=agarcia,\(Fixtures.contractors.string)")
        // Group changes after the move name the new DN.
        #expect(only(.addToGroup, in: plan)?.dn == "uid=agarcia,\(Fixtures.contractors.string)")
    }

    @Test func rehireIsEnabledAndEnrolledAnew() {
        var state = Fixtures.disabledState(.leaver)
        state.revocationPending = true
        let (account, _) = Fixtures.synced(nurse, login: "agarcia", state: state)
        var disabled = account
        disabled.lock = .administrative
        let plan = Fixtures.plan([nurse], Fixtures.directory([disabled], groups: Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, []) })))
        let enable = only(.enable, in: plan)
        #expect(enable?.category == .rehire)
        #expect(enable?.state == "idsync:v1;enroll")
        #expect(enable?.login == "agarcia")
        #expect(changes(plan, .addToGroup).count == 3)
        #expect(only(.flagMFAEnrollment, in: plan) != nil)
        #expect(changes(plan, .createAccount).isEmpty)
    }

    @Test func accountDisabledOutsideIdsyncIsNotReEnabled() {
        let (account, groups) = Fixtures.synced(nurse, login: "agarcia")
        var disabled = account
        disabled.lock = .administrative
        disabled.state = nil
        let plan = Fixtures.plan([nurse], Fixtures.directory([disabled], groups: Dictionary(
            uniqueKeysWithValues: groups.map { ($0, [account.dn]) })))
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        expectFinding(plan, .notReEnabled, containing: "disabled outside idsync")
    }

    @Test func lockAfterFailedLoginsIsNeverCleared() {
        var observed = directory(for: nurse)
        observed.accounts[0].lock = .other("20240315120000Z")
        let plan = Fixtures.plan([nurse], observed)
        #expect(changes(plan, .enable).isEmpty)
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        #expect(plan.findings.isEmpty, "a failed-login lock is the directory's, not a disable to report")
    }

    @Test func rehireUnderAFailedLoginLockIsNotUnlocked() {
        var observed = directory(for: nurse, state: Fixtures.disabledState(.leaver))
        observed.accounts[0].lock = .other("20240315120000Z")
        let plan = Fixtures.plan([nurse], observed)
        #expect(changes(plan, .enable).isEmpty, "\(summaries(plan))")
    }

    @Test func unclaimedAccountOfAnActivePersonIsClaimedWithState() {
        var observed = directory(for: nurse)
        observed.accounts[0].state = nil
        observed.accounts[0].attributes["objectclass"] = ["inetOrgPerson"]
        let plan = Fixtures.plan([nurse], observed)
        let update = only(.setAttributes, in: plan)
        #expect(update?.state == "idsync:v1")
        #expect(update?.attributes == [AttributeEdit(name: "objectClass", before: ["inetOrgPerson"],
                                                      after: ["inetOrgPerson", "idsyncAccount"])])
    }

    @Test func leaveOfAbsenceUnderDisablePolicyDisablesWithoutRevoking() {
        var away = nurse
        away.status = .leaveOfAbsence
        let config = Fixtures.config { $0.policy.leaveOfAbsence = .disable }
        let plan = Fixtures.plan([away], directory(for: nurse), config: config)
        #expect(summaries(plan) == ["disable \(dn.string)"])
        #expect(plan.changes[0].state == "idsync:v1;disabled=leave;disabled-on=2024-03-15")
    }

    @Test func leaveOfAbsenceUnderKeepPolicyChangesNothing() {
        var away = nurse
        away.status = .leaveOfAbsence
        #expect(Fixtures.plan([away], directory(for: nurse)).changes.isEmpty)
    }
}

@Suite struct FlagGroupTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")

    @Test func enrolledPersonLeavesTheEnrollmentGroup() {
        let (account, groups) = Fixtures.synced(nurse, login: "agarcia", state: AccountState())
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [DistinguishedName]()) })
        for group in groups + ["mfa-enroll"] { members[group, default: []].append(account.dn) }
        let plan = Fixtures.plan([nurse], Fixtures.directory([account], groups: members))
        #expect(plan.changes.map(\.kind) == [.removeFromGroup])
        #expect(plan.changes.first?.target == "cn=mfa-enroll,\(groupsDN)")
    }
}

import Foundation
import Testing

@testable import IdentitySync

@Suite struct PlannerLeaverTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")
    let dn = "uid=agarcia,\(peopleDN)"
    let leaverState = "idsync:v1;disabled=leaver;disabled-on=2024-03-15;revoke"

    var leaver: Person {
        var person = nurse
        person.status = .terminated
        person.terminationDate = Fixtures.date("2024-03-14")
        return person
    }

    /// The nurse's synced account, in every group her rules grant plus `extra`.
    func directory(_ adjust: (inout ObservedAccount) -> Void = { _ in }, extra: [String] = [],
                   protectedGroup: Bool = false) -> ObservedDirectory {
        var (account, groups) = Fixtures.synced(nurse, login: "agarcia")
        adjust(&account)
        var members = Dictionary(uniqueKeysWithValues: (Fixtures.allGroups + ["vpn-users", "break-glass"])
            .map { ($0, [DistinguishedName]()) })
        for group in groups + extra { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    @Test func leaverIsDisabledAfterLastDayAndLeavesEveryManagedGroup() {
        let plan = Fixtures.plan([leaver], directory(extra: ["mfa-enroll", "mfa-reverify", "vpn-users"]))
        #expect(summaries(plan) == [
            "disable \(dn)",
            "remove-from-group \(dn) -> cn=all-staff,\(groupsDN)",
            "remove-from-group \(dn) -> cn=ehr-users,\(groupsDN)",
            "remove-from-group \(dn) -> cn=mfa-enroll,\(groupsDN)",
            "remove-from-group \(dn) -> cn=mfa-reverify,\(groupsDN)",
            "remove-from-group \(dn) -> cn=nursing,\(groupsDN)",
        ])
        #expect(plan.changes[0].state == leaverState)
        #expect(plan.changes.allSatisfy { $0.category == .leaver })
        #expect(plan.summary.leavers == 1)
    }

    @Test func leaverOnTheLastDayIsNotYetDisabled() {
        let plan = Fixtures.plan([leaver], directory(), at: Fixtures.instant("2024-03-15T03:59:59Z"))
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .conflict, containing: "not over yet")
    }

    @Test func accountAlreadyDisabledByIdsyncButStillInAGroupGetsOnlyTheRemoval() {
        let observed = directory({ account in
            account.lock = .administrative
            account.state = Fixtures.disabledState(.leaver, on: "2024-03-15")
        })
        var onlyNursing = observed
        for (group, _) in onlyNursing.groups where group != Fixtures.groupDN("nursing") {
            onlyNursing.groups[group]?.members = []
        }
        let plan = Fixtures.plan([leaver], onlyNursing)
        #expect(summaries(plan) == ["remove-from-group \(dn) -> cn=nursing,\(groupsDN)"])
    }

    @Test func leaverAlreadyDisabledAndOutOfGroupsGetsNothing() {
        var observed = directory({ account in
            account.lock = .administrative
            account.state = Fixtures.disabledState(.leaver)
        })
        for group in observed.groups.keys { observed.groups[group]?.members = [] }
        #expect(Fixtures.plan([leaver], observed).changes.isEmpty)
    }

    @Test func accountLockedBySomeoneElseGetsIdsyncStateWithoutASecondLock() {
        let plan = Fixtures.plan([leaver], directory({ account in
            account.lock = .administrative
            account.state = nil
        }))
        let first = plan.changes.first
        #expect(first?.kind == .setAttributes)
        #expect(first?.state == "idsync:v1;revoke")
        #expect(changes(plan, .removeFromGroup).count == 3)
    }

    @Test func accountLockedBySomeoneElseWithItsStateRecordedGetsNothingMore() {
        let plan = Fixtures.plan([leaver], directory({ account in
            account.lock = .administrative
            account.state = AccountState(stored: "idsync:v1;revoke")
        }))
        #expect(changes(plan, .setAttributes).isEmpty, "the second run after such a leaver must be quiet")
        #expect(changes(plan, .disable).isEmpty)
    }

    @Test func leaverLockedAfterFailedLoginsIsStillDisabled() {
        let plan = Fixtures.plan([leaver], directory({ $0.lock = .other("20240315120000Z") }))
        #expect(only(.disable, in: plan)?.state == leaverState)
    }

    @Test func endedContractIsDisabledAsContractEnded() {
        let locum = Fixtures.person("000300", "Sam", "Lee", jobCode: "MD01", department: "Medicine",
                                    workerType: "Locum", contractEnds: "2024-03-10")
        var active = locum
        active.contractEndDate = nil
        let (account, groups) = Fixtures.synced(active, login: "slee")
        let plan = Fixtures.plan([locum], Fixtures.directory([account], groups: Dictionary(
            uniqueKeysWithValues: groups.map { ($0, [account.dn]) })))
        let disable = only(.disable, in: plan)
        #expect(disable?.category == .contractEnded)
        #expect(disable?.state == "idsync:v1;disabled=contract-ended;disabled-on=2024-03-15;revoke")
        #expect(changes(plan, .removeFromGroup).map(\.target) == groups.map { "cn=\($0),\(groupsDN)" })
        #expect(plan.summary.contractEnded == 1)
    }

    // MARK: Protected accounts

    enum Protection: String, CaseIterable, Sendable {
        case byDN, byGroup, byAttribute

        func apply(_ config: inout Config) {
            switch self {
            case .byDN: config.protected.dns = [Fixtures.personDN("agarcia")]
            case .byGroup: config.protected.groups = [Fixtures.groupDN("break-glass")]
            case .byAttribute:
                config.protected.attribute = "employeeType"
                config.protected.values = ["break-glass"]
            }
        }
    }

    @Test(arguments: Protection.allCases)
    func protectedAccountGetsNoChangeAndAFinding(_ protection: Protection) {
        let config = Fixtures.config(protection.apply)
        let observed = directory({ $0.attributes["employeetype"] = ["Break-Glass"] }, extra: ["break-glass"])
        let plan = Fixtures.plan([leaver], observed, config: config)
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        expectFinding(plan, .protected)
        #expect(plan.summary.protectedSkipped == 1)
    }

    @Test func protectedAccountMissingFromTheFeedIsNotDisabled() {
        let config = Fixtures.config { $0.protected.dns = [Fixtures.personDN("agarcia")] }
        let plan = Fixtures.plan([], directory(), config: config)
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .protected)
    }

    // MARK: Accounts nobody in the feed speaks for

    @Test func orphanIsReportedAndNotDisabledByDefault() {
        let orphan = Fixtures.account("olduser", id: nil, state: nil)
        let plan = Fixtures.plan([], Fixtures.directory([orphan]))
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .orphan, containing: "never claimed")
        #expect(plan.summary.orphans == 1)
    }

    @Test func orphanIsDisabledWhenPolicySaysSo() {
        let orphan = Fixtures.account("olduser", id: "555", state: nil)
        let config = Fixtures.config { $0.policy.orphans = .disable }
        let plan = Fixtures.plan([], Fixtures.directory([orphan], groups: ["all-staff": [orphan.dn]]), config: config)
        #expect(summaries(plan) == ["disable uid=olduser,\(peopleDN)"])
        #expect(plan.changes[0].category == .orphan)
        #expect(plan.changes[0].state == "idsync:v1;disabled=orphan;disabled-on=2024-03-15")
    }

    @Test func orphanDisabledByPolicyStaysAnOrphanOnTheNextRun() {
        let orphan = Fixtures.account("olduser", id: "555", lock: .administrative,
                                      state: AccountState(stored: "idsync:v1;disabled=orphan;disabled-on=2024-03-15"))
        let config = Fixtures.config { $0.policy.orphans = .disable }
        let plan = Fixtures.plan([], Fixtures.directory([orphan], groups: ["all-staff": [orphan.dn]]), config: config)
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        #expect(plan.findings.map(\.kind) == [.orphan])
    }

    @Test func vanishedManagedAccountIsALeaver() {
        let plan = Fixtures.plan([], directory())
        let disable = only(.disable, in: plan)
        #expect(disable?.state == "idsync:v1;disabled=vanished;disabled-on=2024-03-15;revoke")
        #expect(disable?.category == .leaver)
        #expect(changes(plan, .removeFromGroup).count == 3)
    }

    @Test func vanishedAccountIsOnlyReportedUnderTheReportPolicy() {
        let config = Fixtures.config { $0.feed.missingPerson = .report }
        let plan = Fixtures.plan([], directory(), config: config)
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .held, containing: "policy says report")
    }

    @Test func vanishedAccountIsHeldWhileAQuarantinedRowLacksAnEmployeeID() {
        let bad = QuarantinedRecord(source: "hr/test.csv:7", employeeID: nil, problems: ["3 fields, header has 4"],
                                    termination: nil)
        let plan = Fixtures.plan([], directory(), quarantined: [bad])
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .held, containing: "without an employee id")
        expectFinding(plan, .quarantined, containing: "hr/test.csv:7")
    }

    @Test func quarantinedRowWithAPlainTerminationStillDisables() {
        let bad = QuarantinedRecord(source: "hr/test.csv:7", employeeID: "000101",
                                    problems: ["column 'Hire Date': 'soon' is not a date"], termination: leaver)
        let plan = Fixtures.plan([], directory(), quarantined: [bad])
        #expect(only(.disable, in: plan)?.state == leaverState)
        expectFinding(plan, .quarantined, containing: "the account is disabled")
    }

    @Test func quarantinedRowWithoutATerminationLeavesTheAccountAlone() {
        let bad = QuarantinedRecord(source: "hr/test.csv:7", employeeID: "000101",
                                    problems: ["column 'Hire Date': 'soon' is not a date"], termination: nil)
        let plan = Fixtures.plan([], directory(), quarantined: [bad])
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        expectFinding(plan, .quarantined, containing: "left as it is")
    }

    @Test func duplicateAccountsForOneEmployeeIDAreHeldAndNamed() {
        let first = Fixtures.account("agarcia", id: "000101")
        let second = Fixtures.account("agarcia2", id: "000101")
        let plan = Fixtures.plan([nurse], Fixtures.directory([first, second]))
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        expectFinding(plan, .duplicateEmployeeID,
                      containing: "employee id 000101 is carried by 2 entries: \(dn); "
                        + "uid=agarcia2,\(peopleDN)")
        #expect(plan.needsAttention)
    }

    /// One added entry with a leaver's id used to shield the leaver: nothing was disabled.
    @Test func aLeaversClaimedAccountIsDisabledThoughASecondEntryCarriesTheId() {
        let claimed = directory().accounts[0]
        let added = Fixtures.account("agarcia-dup", id: "000101", state: nil)
        var observed = directory()
        observed.accounts.append(added)
        let plan = Fixtures.plan([leaver], observed)
        #expect(only(.disable, in: plan)?.dn == claimed.dn.string)
        #expect(changes(plan, .removeFromGroup).count == 3, "\(summaries(plan))")
        #expect(!plan.changes.contains { $0.dn == added.dn.string })
        expectFinding(plan, .duplicateEmployeeID, containing: "the ones idsync claimed (\(dn))")
        #expect(plan.needsAttention)
    }

    @Test func everyEntryOfALeaverIsDisabledWhenIdsyncClaimedNone() {
        let first = Fixtures.account("agarcia", id: "000101", state: nil)
        let second = Fixtures.account("agarcia2", id: "000101", state: nil)
        let plan = Fixtures.plan([leaver], Fixtures.directory([first, second]))
        #expect(Set(changes(plan, .disable).map(\.dn)) == [first.dn.string, second.dn.string])
        expectFinding(plan, .duplicateEmployeeID, containing: "claimed none of them")
    }

    @Test func aProtectedDuplicateOfALeaverIsNotTouched() {
        let first = Fixtures.account("agarcia", id: "000101", state: nil)
        let second = Fixtures.account("agarcia2", id: "000101", state: nil)
        var config = Fixtures.config()
        config.protected.dns = [second.dn]
        let plan = Fixtures.plan([leaver], Fixtures.directory([first, second]), config: config)
        #expect(changes(plan, .disable).map(\.dn) == [first.dn.string])
        expectFinding(plan, .protected)
    }

    @Test func aQuarantinedTerminationDisablesEveryDuplicatedEntry() {
        let bad = QuarantinedRecord(source: "hr/test.csv:7", employeeID: "000101",
                                    problems: ["column 'Hire Date': 'soon' is not a date"],
                                    termination: leaver)
        let first = Fixtures.account("agarcia", id: "000101", state: nil)
        let second = Fixtures.account("agarcia2", id: "000101", state: nil)
        let plan = Fixtures.plan([], Fixtures.directory([first, second]), quarantined: [bad])
        #expect(changes(plan, .disable).count == 2, "\(summaries(plan))")
        expectFinding(plan, .duplicateEmployeeID)
    }

    @Test func aVanishedIdOnTwoEntriesIsNamedOnce() {
        let first = Fixtures.account("agarcia", id: "000101")
        let second = Fixtures.account("agarcia2", id: "000101", state: nil)
        let plan = Fixtures.plan([Fixtures.person("000102", "Bo", "Li")],
                                 Fixtures.directory([first, second]))
        #expect(changes(plan, .disable).map(\.dn) == [first.dn.string])
        #expect(plan.findings.filter { $0.kind == .duplicateEmployeeID }.count == 1)
    }
}

import Foundation
import Testing

@testable import IdentitySync

@Suite struct AdditionsBudgetTests {
    let superusers = "cn=ehr-superusers,\(groupsDN)"

    func directory(enabled count: Int) -> ObservedDirectory {
        Fixtures.directory((0..<count).map { Fixtures.account("user\($0)", id: "\($0)") })
    }

    func plan(_ changes: [Change]) -> Plan {
        Plan(
            runDate: "2024-03-15", instant: "", feed: "hr/test.csv", directoryFingerprint: "test",
            summary: PlanSummary(), changes: changes, findings: [], guards: [])
    }

    func change(_ kind: ChangeKind, id: Int, target: String? = nil) -> Change {
        Change(
            kind: kind, category: .joiner, employeeID: "\(id)", login: "new\(id)",
            dn: "uid=new\(id),\(peopleDN)", target: target, reason: Reason(rule: "test", text: ""))
    }

    func verdicts(
        _ changes: [Change], guards: GuardConfig, override: GuardOverride? = nil
    ) -> [GuardVerdict] {
        Guards(config: guards, maxBadRows: 10, privilegedGroups: [superusers])
            .evaluate(
                plan(changes), feed: Fixtures.feed((0..<100).map { Fixtures.person("\($0)") }),
                directory: directory(enabled: 100), override: override)
    }

    @Test func noAdditionsBudgetIsCheckedUnlessConfigured() {
        let names = verdicts([change(.createAccount, id: 1)], guards: GuardConfig()).map(
            \.guardName)
        #expect(!names.contains("joiners") && !names.contains("privileged-grants"))
    }

    @Test(arguments: [(3, true), (4, false)])
    func joinerBudgetStopsAboveItsCount(_ count: Int, _ passes: Bool) throws {
        var guards = GuardConfig()
        guards.joiners = Budget(count: 3, percent: 100)
        let joiners = (0..<count).flatMap {
            [
                change(.createAccount, id: $0),
                change(.addToGroup, id: $0, target: "cn=all-staff,\(groupsDN)"),
            ]
        }
        let verdict = try #require(
            verdicts(joiners, guards: guards).first { $0.guardName == "joiners" })
        #expect(verdict.passed == passes)
        #expect(verdict.count == count)
        if !passes {
            #expect(verdict.text.contains("4 joiners (4.0% of 100); stops above 3 or above 100.0%"))
            #expect(verdict.text.contains("--allow-changes 4 --reason TEXT"))
        }
    }

    @Test func joinerBudgetStopsAboveItsPercentAndTheOverridePassesIt() throws {
        var guards = GuardConfig()
        guards.joiners = Budget(count: 1_000, percent: 5)
        let joiners = (0..<6).map { change(.createAccount, id: $0) }
        let stopped = try #require(
            verdicts(joiners, guards: guards).first { $0.guardName == "joiners" })
        #expect(!stopped.passed)
        let allowed = try #require(
            verdicts(
                joiners, guards: guards,
                override: GuardOverride(allowedChanges: 6, reason: "new ward")
            )
            .first { $0.guardName == "joiners" })
        #expect(allowed.passed && allowed.overridden && allowed.mark == "OVERRIDE")
    }

    @Test func aFirstLoadSaysThereIsNothingToTakeAShareOf() throws {
        var guards = GuardConfig()
        guards.joiners = Budget(count: 20, percent: 5)
        let joiners = (0..<14).map { change(.createAccount, id: $0) }
        let verdict = try #require(
            Guards(config: guards, maxBadRows: 10)
                .evaluate(plan(joiners), feed: Fixtures.feed((0..<14).map { Fixtures.person("\($0)") }),
                          directory: directory(enabled: 0), override: nil)
                .first { $0.guardName == "joiners" })

        #expect(verdict.passed)
        #expect(verdict.text.hasPrefix("14 joiners (none to compare with yet); stops above 20"))
    }

    @Test func privilegedGrantsCountOnlyAddsToPrivilegedGroups() throws {
        var guards = GuardConfig()
        guards.privilegedGrants = Budget(count: 1, percent: 100)
        let adds = [
            change(.addToGroup, id: 1, target: superusers),
            change(.addToGroup, id: 2, target: superusers),
            change(.addToGroup, id: 3, target: "cn=ehr-users,\(groupsDN)"),
            change(.removeFromGroup, id: 4, target: superusers),
        ]
        let verdict = try #require(
            verdicts(adds, guards: guards).first { $0.guardName == "privileged-grants" })
        #expect(!verdict.passed)
        #expect(verdict.count == 2)
    }

    @Test func syncRunCountsExceptionAndRoleGrantsToPrivilegedGroups() throws {
        let config = Fixtures.config { config in
            config.guards.privilegedGrants = Budget(count: 0, percent: 100)
        }
        let superuser = Fixtures.person(
            "000150", "Sam", "Root", jobCode: "EHR-SU", department: "IT")
        let plan = SyncRun(config: config, instant: Fixtures.runInstant, override: nil)
            .plan(feed: Fixtures.feed([superuser]), directory: Fixtures.directory([]))
        let verdict = try #require(plan.guards.first { $0.guardName == "privileged-grants" })
        #expect(verdict.count == 1 && !verdict.passed && plan.isStopped)
    }

    @Test func ehrUsersIsNotPrivilegedBecauseAStandardRuleGrantsItToo() {
        #expect(Fixtures.roleRules.isPrivileged("ehr-superusers"))
        #expect(!Fixtures.roleRules.isPrivileged("ehr-users"))
        var rules = Fixtures.roleRules
        rules.privilegedGroups = []
        #expect(rules.isPrivileged("ehr-superusers"))
    }
}

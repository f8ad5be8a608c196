import Foundation
import Testing

@testable import IdentitySync

@Suite struct GuardTests {
    /// `count` enabled managed accounts, the directory the guards compare against.
    func directory(enabled count: Int) -> ObservedDirectory {
        Fixtures.directory((0..<count).map { Fixtures.account("user\($0)", id: "\($0)") })
    }

    func plan(_ changes: [Change]) -> Plan {
        Plan(runDate: "2024-03-15", instant: "", feed: "hr/test.csv", directoryFingerprint: "test",
             summary: PlanSummary(), changes: changes, findings: [], guards: [])
    }

    func change(_ kind: ChangeKind, _ category: ChangeCategory, id: Int, group: String? = nil) -> Change {
        Change(kind: kind, category: category, employeeID: "\(id)", login: "user\(id)",
               dn: "uid=user\(id),\(peopleDN)", target: group, reason: Reason(rule: "test", text: ""))
    }

    func leavers(_ count: Int) -> [Change] { (0..<count).map { change(.disable, .leaver, id: $0) } }

    func people(_ count: Int) -> [Person] { (0..<count).map { Fixtures.person("\($0)") } }

    func verdict(_ name: String, plan: Plan, feed: FeedSnapshot, directory: ObservedDirectory,
                 guards: GuardConfig = GuardConfig(), maxBadRows: Int = 10, override: GuardOverride? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) -> GuardVerdict? {
        let verdicts = Guards(config: guards, maxBadRows: maxBadRows)
            .evaluate(plan, feed: feed, directory: directory, override: override)
        let found = verdicts.first { $0.guardName == name }
        #expect(found != nil, "no guard named \(name)", sourceLocation: sourceLocation)
        return found
    }

    @Test func emptyFeedStopsAndCannotBeOverridden() {
        let empty = Fixtures.feed([], rowCount: 0)
        let override = GuardOverride(allowedChanges: 1_000, reason: "CHG-1")
        let result = verdict("empty-feed", plan: plan([]), feed: empty, directory: directory(enabled: 10),
                             override: override)
        #expect(result?.passed == false)
        #expect(result?.overridable == false)
    }

    @Test func emptyFeedStopsTheWholePlanBeforeAnyLeaver() {
        let run = SyncRun(config: Fixtures.config(), instant: Fixtures.runInstant,
                          override: GuardOverride(allowedChanges: 1_000, reason: "CHG-1"))
        let plan = run.plan(feed: Fixtures.feed([], rowCount: 0), directory: directory(enabled: 10))
        #expect(plan.isStopped)
    }

    @Test func anEmptyFeedNamesNoOverrideForTheGuardsItAlsoTrips() {
        let feed = verdict("feed-shrink", plan: plan([]), feed: Fixtures.feed([], rowCount: 0),
                           directory: directory(enabled: 10))
        #expect(feed?.passed == false)
        #expect(feed?.text.contains("--allow-changes 10") == false)
        #expect(feed?.text.contains("no --allow-changes applies until the feed can be trusted") == true)

        let leavers = verdict("leavers", plan: plan(leavers(10)), feed: Fixtures.feed([], rowCount: 0),
                              directory: directory(enabled: 10))
        #expect(leavers?.passed == false)
        #expect(leavers?.text.contains("to allow this run") == false)
    }

    @Test(arguments: [(3, true), (4, false)])
    func badRowsOverTheLimitStop(_ bad: Int, _ passes: Bool) {
        let rows = (0..<bad).map { QuarantinedRecord(source: "hr/test.csv:\($0 + 2)", employeeID: nil,
                                                     problems: ["bad"], termination: nil) }
        let result = verdict("bad-rows", plan: plan([]), feed: Fixtures.feed(people(10), quarantined: rows),
                             directory: directory(enabled: 10), maxBadRows: 3)
        #expect(result?.passed == passes)
        #expect(result?.overridable == false)
    }

    /// The HTML guard table showed 0 for these: their count was never set.
    @Test func theFeedGuardsCountWhatTheyCompare() {
        let rows = (0..<2).map { QuarantinedRecord(source: "hr/test.csv:\($0 + 2)", employeeID: nil,
                                                   problems: ["bad"], termination: nil) }
        let feed = Fixtures.feed(people(80), quarantined: rows)
        let enabled = directory(enabled: 85)

        #expect(verdict("empty-feed", plan: plan([]), feed: feed, directory: enabled)?.count == 82)
        #expect(verdict("bad-rows", plan: plan([]), feed: feed, directory: enabled)?.count == 2)
        #expect(verdict("feed-shrink", plan: plan([]), feed: feed, directory: enabled)?.count == 5)
    }

    @Test func theHTMLGuardTableSaysWhatEachCountCounts() {
        var shown = plan([])
        shown.guards = Guards(config: GuardConfig(), maxBadRows: 10).evaluate(
            shown, feed: Fixtures.feed(people(80), quarantined: [
                QuarantinedRecord(source: "hr/test.csv:2", employeeID: nil, problems: ["bad"],
                                  termination: nil)
            ]), directory: directory(enabled: 85), override: nil)

        let html = HTMLReport.render(shown)

        #expect(html.contains("<td>empty-feed</td><td>ok</td><td>81 records</td>"), "\(html)")
        #expect(html.contains("<td>bad-rows</td><td>ok</td><td>1 quarantined</td>"))
        #expect(html.contains(
            "<td>feed-shrink</td><td>ok</td><td>5 fewer people than enabled accounts</td>"))
        #expect(html.contains("<td>leavers</td><td>ok</td><td>0</td>"))
    }

    @Test(arguments: [(90, nil, true), (89, nil, false), (89, 11, true), (89, 10, false)] as [(Int, Int?, Bool)])
    func feedShrinkBeyondTheLimitStopsUnlessOverrideCoversTheMissing(_ inFeed: Int, _ allowed: Int?,
                                                                      _ passes: Bool) {
        let override = allowed.map { GuardOverride(allowedChanges: $0, reason: "CHG-2") }
        let result = verdict("feed-shrink", plan: plan([]), feed: Fixtures.feed(people(inFeed)),
                             directory: directory(enabled: 100), override: override)
        #expect(result?.passed == passes, "\(result?.text ?? "")")
    }

    @Test(arguments: [(3, true), (4, false)])
    func leaverBudgetByCount(_ count: Int, _ passes: Bool) {
        let guards = GuardConfig(leavers: Budget(count: 3, percent: 100))
        let result = verdict("leavers", plan: plan(leavers(count)), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), guards: guards)
        #expect(result?.passed == passes)
    }

    @Test(arguments: [(5, true), (6, false)])
    func leaverBudgetByPercent(_ count: Int, _ passes: Bool) {
        let guards = GuardConfig(leavers: Budget(count: 1_000, percent: 5))
        let result = verdict("leavers", plan: plan(leavers(count)), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), guards: guards)
        #expect(result?.passed == passes)
    }

    @Test func leaverIsCountedOncePerPersonNotPerChange() {
        let guards = GuardConfig(leavers: Budget(count: 1, percent: 100))
        let changes = [change(.disable, .leaver, id: 1),
                       change(.removeFromGroup, .leaver, id: 1, group: "cn=a,\(groupsDN)"),
                       change(.removeFromGroup, .leaver, id: 1, group: "cn=b,\(groupsDN)")]
        let result = verdict("leavers", plan: plan(changes), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), guards: guards)
        #expect(result?.passed == true)
    }

    @Test(arguments: [(6, nil, false), (6, 5, false), (6, 6, true), (6, 60, true)] as [(Int, Int?, Bool)])
    func overridePassesOnlyWhenItCoversTheCount(_ count: Int, _ allowed: Int?, _ passes: Bool) {
        let override = allowed.map { GuardOverride(allowedChanges: $0, reason: "CHG-3") }
        let result = verdict("leavers", plan: plan(leavers(count)), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), override: override)
        #expect(result?.passed == passes)
        #expect(result?.text.contains("--allow-changes \(count)") == !passes)
    }

    @Test(arguments: [(2, true), (3, false)])
    func groupRemovalBudgetByCount(_ count: Int, _ passes: Bool) {
        let guards = GuardConfig(groupRemovals: Budget(count: 2, percent: 100))
        let removals = (0..<count).map { change(.removeFromGroup, .mover, id: $0, group: "cn=a,\(groupsDN)") }
        let result = verdict("group-removals", plan: plan(removals), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), guards: guards)
        #expect(result?.passed == passes)
    }

    /// The share is of the memberships the managed groups hold: 100 here.
    @Test(arguments: [(10, true), (11, false)])
    func groupRemovalBudgetByPercent(_ count: Int, _ passes: Bool) {
        let removals = (0..<count).map { change(.removeFromGroup, .mover, id: $0, group: "cn=a,\(groupsDN)") }
        let accounts = (0..<100).map { Fixtures.account("user\($0)", id: "\($0)") }
        let withGroup = Fixtures.directory(accounts, groups: ["a": accounts.map(\.dn)])
        let result = verdict("group-removals", plan: plan(removals), feed: Fixtures.feed(people(100)),
                             directory: withGroup)
        #expect(result?.passed == passes)
    }

    @Test(arguments: [(5, true), (6, false)])
    func renameBudgetByPercent(_ count: Int, _ passes: Bool) {
        let moves = (0..<count).map { change(.move, .mover, id: $0, group: "uid=user\($0),\(Fixtures.contractors)") }
        let result = verdict("renames", plan: plan(moves), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100))
        #expect(result?.passed == passes)
    }

    @Test(arguments: [(2, true), (3, false)])
    func renameBudgetByCount(_ count: Int, _ passes: Bool) {
        let guards = GuardConfig(renames: Budget(count: 2, percent: 100))
        let moves = (0..<count).map { change(.move, .mover, id: $0, group: "uid=user\($0),\(Fixtures.contractors)") }
        let result = verdict("renames", plan: plan(moves), feed: Fixtures.feed(people(100)),
                             directory: directory(enabled: 100), guards: guards)
        #expect(result?.passed == passes)
    }
}

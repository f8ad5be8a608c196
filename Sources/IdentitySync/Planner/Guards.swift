import Foundation

/// A one-run override of the budget guards, given with `--allow-changes N --reason TEXT`.
public struct GuardOverride: Sendable {
    public let allowedChanges: Int
    public let reason: String

    public init(allowedChanges: Int, reason: String) {
        self.allowedChanges = allowedChanges
        self.reason = reason
    }
}

/// The guards that run on a plan before anything is written (DESIGN, step 4).
///
/// A feed that is empty or has too many bad rows cannot be trusted at all and no flag
/// overrides that. A budget guard passes with an override whose N covers its count, so
/// an operator approves a number, not "whatever this run does".
public struct Guards {
    let config: GuardConfig
    let maxBadRows: Int
    /// The DNs of the privileged groups, as the planner writes them in a change's target.
    let privilegedGroups: Set<String>

    public init(config: GuardConfig, maxBadRows: Int, privilegedGroups: Set<String> = []) {
        self.config = config
        self.maxBadRows = maxBadRows
        self.privilegedGroups = privilegedGroups
    }

    public func evaluate(_ plan: Plan, feed: FeedSnapshot, directory: ObservedDirectory,
                         override: GuardOverride?) -> [GuardVerdict] {
        let enabled = directory.accounts.reduce(0) { $0 + ($1.state != nil && $1.lock == .none ? 1 : 0) }
        var verdicts = [emptyFeed(feed), badRows(feed)]
        verdicts.append(feedShrink(feed, enabled: enabled, override: override))
        let departures = Set(plan.changes.filter { $0.category.isDeparture && $0.kind != .removeFromGroup }
            .map { $0.employeeID ?? $0.dn }).count
        verdicts.append(budget("leavers", departures, config.leavers, of: enabled, override: override))
        // Removals are a share of the memberships there are, not of the people.
        let removals = plan.changes.filter { $0.kind == .removeFromGroup }.count
        let memberships = directory.groups.values.reduce(0) { $0 + $1.members.count }
        verdicts.append(budget("group-removals", removals, config.groupRemovals, of: memberships, override: override))
        let renames = plan.changes.filter { $0.kind == .move }.count
        verdicts.append(budget("renames", renames, config.renames, of: enabled, override: override))
        verdicts.append(contentsOf: additions(plan, enabled: enabled, override: override))
        return withOverrideHints(verdicts)
    }

    /// How each stopped budget guard ends its text, said once every guard has run: one
    /// `--allow-changes N` covers all of them, so each names the N that lets all pass; and
    /// while a guard that no flag overrides has stopped the run (an empty feed, too many bad
    /// rows), naming `--allow-changes` would only send the operator round.
    private func withOverrideHints(_ verdicts: [GuardVerdict]) -> [GuardVerdict] {
        let trusted = !verdicts.contains { !$0.passed && !$0.overridable }
        let needed = verdicts.filter { !$0.passed && $0.overridable }.map(\.count).max() ?? 0
        return verdicts.map { verdict in
            guard !verdict.passed, verdict.overridable else { return verdict }
            let hint = trusted
                ? Guards.overrideLead(verdict.guardName) + "--allow-changes \(needed) --reason TEXT"
                : "; no --allow-changes applies until the feed can be trusted"
            var updated = GuardVerdict(guardName: verdict.guardName, passed: false,
                                       overridable: true, text: verdict.text + hint)
            updated.count = verdict.count
            return updated
        }
    }

    /// What a stopped guard says before the override that lets it pass.
    private static func overrideLead(_ guardName: String) -> String {
        guardName == "feed-shrink"
            ? "; the feed may be truncated. If this is real: " : "; to allow this run: "
    }

    private func emptyFeed(_ feed: FeedSnapshot) -> GuardVerdict {
        let empty = feed.rowCount == 0
        var verdict = GuardVerdict(
            guardName: "empty-feed", passed: !empty, overridable: false,
            text: empty ? "the feed \(feed.origin) has no records; an empty export never "
                + "disables anyone, fix the export and run again" : "\(feed.rowCount) records read")
        verdict.count = feed.rowCount
        return verdict
    }

    private func badRows(_ feed: FeedSnapshot) -> GuardVerdict {
        let count = feed.quarantined.count
        let passed = count <= maxBadRows
        var verdict = GuardVerdict(
            guardName: "bad-rows", passed: passed, overridable: false,
            text: "\(count) bad rows, limit \(maxBadRows)"
                + (passed ? "" : "; the export looks broken, fix it and run again"))
        verdict.count = count
        return verdict
    }

    private func feedShrink(_ feed: FeedSnapshot, enabled: Int, override: GuardOverride?) -> GuardVerdict {
        let people = feed.people.count
        let floor = Double(enabled) * (1 - config.maxFeedShrinkPercent / 100)
        let missing = max(0, enabled - people)
        let shrunk = enabled > 0 && Double(people) < floor
        let passed = !shrunk || (override.map { missing <= $0.allowedChanges } ?? false)
        var text = "\(people) people in the feed, \(enabled) enabled managed accounts, "
            + "at most \(config.maxFeedShrinkPercent)% fewer allowed"
        if shrunk && passed { text += "; allowed for this run by --allow-changes" }
        var verdict = GuardVerdict(guardName: "feed-shrink", passed: passed, overridable: true, text: text)
        verdict.count = missing
        verdict.overridden = shrunk && passed
        return verdict
    }

    func budget(_ name: String, _ count: Int, _ budget: Budget, of total: Int,
                        override: GuardOverride?) -> GuardVerdict {
        let percent = total > 0 ? Double(count) * 100 / Double(total) : 0
        let over = count > budget.count || (count > 0 && total > 0 && percent > budget.percent)
        let passed = !over || (override.map { count <= $0.allowedChanges } ?? false)
        // A first load has nothing to take a share of: say so rather than "0.0% of 0".
        let share = total > 0 ? "\(String(format: "%.1f", percent))% of \(total)" : "none to compare with yet"
        var text = "\(count) \(name) (\(share)); "
            + "stops above \(budget.count) or above \(budget.percent)%"
        if over && passed { text += "; allowed for this run by --allow-changes" }
        var verdict = GuardVerdict(guardName: name, passed: passed, overridable: true, text: text)
        verdict.count = count
        verdict.overridden = over && passed
        return verdict
    }
}

extension Guards {
    /// The additions budgets, where configured: a feed that suddenly holds many new people,
    /// or a plan that hands out many privileged groups, stops like a mass disable does.
    func additions(_ plan: Plan, enabled: Int, override: GuardOverride?) -> [GuardVerdict] {
        var verdicts: [GuardVerdict] = []
        // Counted through the indexes: a filter copied every matching change of a plan that
        // may hold 400,000.
        let changes = plan.changes
        if let joinerBudget = config.joiners {
            var joiners: Set<String> = []
            for index in changes.indices where changes[index].kind == .createAccount {
                joiners.insert(changes[index].employeeID ?? changes[index].dn)
            }
            verdicts.append(budget("joiners", joiners.count, joinerBudget, of: enabled,
                                   override: override))
        }
        if let grantBudget = config.privilegedGrants {
            var grants = 0
            for index in changes.indices where changes[index].kind == .addToGroup {
                if let group = changes[index].target, privilegedGroups.contains(group) { grants += 1 }
            }
            verdicts.append(budget("privileged-grants", grants, grantBudget, of: enabled,
                                   override: override))
        }
        return verdicts
    }
}

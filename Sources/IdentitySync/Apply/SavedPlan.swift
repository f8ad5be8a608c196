import Foundation

/// Which changes wait for a person's approval (`approval.require_for`).
///
/// Disables, group removals and everything of a leaver, an ended contract or an orphan
/// never wait: holding back a termination is the risk approval exists to prevent.
public struct ApprovalGate: Sendable {
    let approval: ApprovalConfig
    let privilegedGroups: Set<String>

    public init(config: Config) {
        self.approval = config.approval
        self.privilegedGroups = Set(
            config.roles.managedGroups.filter(config.roles.isPrivileged)
                .map { config.groupDN($0).normalized })
    }

    public var isEmpty: Bool { approval.requireFor.isEmpty }

    public func needsApproval(_ change: Change) -> Bool {
        guard !change.category.isDeparture else { return false }
        switch change.kind {
        case .createAccount, .enable:
            return approval.requireFor.contains(.joiners)
        case .addToGroup:
            return approval.requireFor.contains(.grants)
                || (approval.requireFor.contains(.privilegedGrants) && isPrivileged(change.target))
        default:
            return false
        }
    }

    private func isPrivileged(_ group: String?) -> Bool {
        guard let group else { return false }
        return privilegedGroups.contains(TargetFingerprints.normalized(group))
    }

    /// The changes that may go now and those held back. A held account creation or enable
    /// holds every other change of that person too (`EntryDependency`).
    public func split(_ changes: [Change], approved: Bool) -> (apply: [Change], held: [Change]) {
        guard !approved, !isEmpty else { return (changes, []) }
        let heldPeople = EntryDependency.people(withheld: changes.filter(needsApproval))
        var apply: [Change] = []
        var held: [Change] = []
        for change in changes {
            if needsApproval(change) || EntryDependency.waits(change, on: heldPeople) {
                held.append(change)
            } else {
                apply.append(change)
            }
        }
        return (apply, held)
    }

    /// The plan without its held changes, each named in a finding that says how to apply it.
    public func holding(_ plan: Plan, approved: Bool, how: String) -> Plan {
        let (apply, held) = split(plan.changes, approved: approved)
        guard !held.isEmpty else { return plan }
        var result = plan
        result.changes = apply
        result.summary.changes = apply.count
        for change in held {
            result.findings.append(
                Finding(
                    kind: .held, employeeID: change.employeeID, dn: change.dn,
                    text: "waits for approval (approval.require_for): \(change.kind.rawValue)"
                        + (change.target.map { " → \($0)" } ?? "") + "; \(how)"))
        }
        return result
    }
}

/// A person's changes rely on the change that makes their entry what the plan expects: an
/// account creation makes it exist, an enable makes it active, a move puts it at the DN the
/// person's group changes name. Where that change is withheld (waits for approval, or is not
/// the approved one), the person's other changes wait too; a group value naming an entry that
/// was never created stays in the group, and slapd's memberOf overlay never adds it to the
/// entry created later. Departures never wait: holding back a termination is the greater risk.
public enum EntryDependency {
    /// Whether the person's other changes rely on `change`.
    public static func makesEntry(_ change: Change) -> Bool {
        change.kind == .createAccount || change.kind == .enable || change.kind == .move
    }

    /// The people whose entry-making change is among `withheld`.
    public static func people(withheld: [Change]) -> Set<String> {
        Set(withheld.filter(makesEntry).compactMap(\.employeeID))
    }

    /// Whether `change` must wait with its person's withheld entry-making change.
    public static func waits(_ change: Change, on people: Set<String>) -> Bool {
        guard !change.category.isDeparture, let id = change.employeeID else { return false }
        return people.contains(id)
    }
}

/// What `idsync apply --plan` may apply: the changes of the plan made now that are identical
/// to the saved, approved ones. The saved file only selects; everything written comes from
/// the plan made now, so an edited file can add nothing.
public struct SavedPlanSelection: Sendable {
    /// The plan made now, with only the changes the saved plan holds too.
    public var plan: Plan
    /// Saved changes the plan made now no longer has: not applied.
    public var noLongerPlanned: [Change]
    /// Changes planned now that the saved plan lacks: not applied by this run.
    public var notApproved: [Change]
    /// Saved changes planned again identically that wait for their person's account
    /// creation, enable or move, which is not applied (`EntryDependency`).
    public var waiting: [Change] = []

    /// Refuses (throws `SavedPlanProblem`) a plan older than `maxAge` or one whose targets
    /// moved since it was made; otherwise selects.
    public static func select(
        saved: PlanDocument, fresh: Plan, directory: ObservedDirectory,
        now: Date, maxAge: TimeInterval
    ) throws -> SavedPlanSelection {
        try checkAge(saved, now: now, maxAge: maxAge)
        try checkTargets(saved, directory: directory)

        var wanted: [String: Int] = [:]
        for change in saved.plan.changes { wanted[identity(change), default: 0] += 1 }
        var selected: [Change] = []
        var notApproved: [Change] = []
        for change in fresh.changes {
            let key = identity(change)
            if let count = wanted[key], count > 0 {
                wanted[key] = count - 1
                selected.append(change)
            } else {
                notApproved.append(change)
            }
        }
        var left = wanted
        let noLonger = saved.plan.changes.filter { change in
            let key = identity(change)
            guard let count = left[key], count > 0 else { return false }
            left[key] = count - 1
            return true
        }
        let withheld = EntryDependency.people(withheld: notApproved + noLonger)
        let waiting = selected.filter { EntryDependency.waits($0, on: withheld) }
        selected.removeAll { EntryDependency.waits($0, on: withheld) }

        var plan = fresh
        plan.changes = selected
        plan.summary.changes = selected.count
        return SavedPlanSelection(
            plan: plan, noLongerPlanned: noLonger, notApproved: notApproved, waiting: waiting)
    }

    private static func checkAge(_ saved: PlanDocument, now: Date, maxAge: TimeInterval) throws {
        guard let created = ISO8601DateFormatter().date(from: saved.createdAt) else {
            throw SavedPlanProblem(
                "the plan's createdAt '\(saved.createdAt)' is not an ISO 8601 instant")
        }
        let age = now.timeIntervalSince(created)
        guard age <= maxAge, age > -300 else {
            let hours = String(format: "%.1f", age / 3600)
            throw SavedPlanProblem(
                "the plan was made at \(saved.createdAt), \(hours) hours ago; plans older than "
                    + "\(String(format: "%g", maxAge / 3600)) hours (approval.max_plan_age_hours) "
                    + "are refused. Make and approve the plan again")
        }
    }

    private static func checkTargets(_ saved: PlanDocument, directory: ObservedDirectory) throws {
        let now = TargetFingerprints.compute(saved.plan.changes, directory: directory)
        let expected = Set(saved.plan.changes.flatMap(TargetFingerprints.keys(of:)))
        let missing = expected.subtracting(saved.targets.keys)
        guard missing.isEmpty else {
            throw SavedPlanProblem(
                "the plan lacks the fingerprints of \(missing.count) targets; make it again")
        }
        let moved = TargetFingerprints.moved(
            saved: saved.targets.filter { expected.contains($0.key) }, now: now)
        guard moved.isEmpty else {
            let shown = moved.prefix(5).map { $0.replacingOccurrences(of: "|", with: " ← ") }
                .joined(separator: "; ")
            throw SavedPlanProblem(
                "\(moved.count) entries or memberships the plan changes moved since it was made "
                    + "(\(shown)\(moved.count > 5 ? "; …" : "")). Make and approve the plan again")
        }
    }

    /// Everything of a change that reaches the directory; the reason text does not, and a
    /// redacted plan differs from the unredacted one only there.
    static func identity(_ change: Change) -> String {
        var parts = [
            change.kind.rawValue, change.category.rawValue, change.employeeID ?? "", change.dn,
            change.target ?? "", change.state ?? ""
        ]
        for edit in change.attributes {
            parts.append(
                edit.name + "=" + edit.before.joined(separator: "\u{1}") + "\u{2}"
                    + edit.after.joined(separator: "\u{1}"))
        }
        return parts.joined(separator: "\u{0}")
    }
}

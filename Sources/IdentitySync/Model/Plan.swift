import Foundation

/// The counts people read first: joiners, movers, leavers and the rest.
public struct PlanSummary: Sendable, Codable, Equatable {
    public var joiners = 0
    public var movers = 0
    public var leavers = 0
    public var contractEnded = 0
    public var rehires = 0
    public var orphansDisabled = 0
    public var changes = 0
    public var quarantined = 0
    public var protectedSkipped = 0
    public var orphans = 0
    /// Entries with an employee id and no login (`unmanaged-entry` findings).
    public var unmanagedEntries = 0
    public var peopleInFeed = 0
    public var accountsObserved = 0

    /// Sets the per-kind counts from the changes: people (by employee id, or DN for an
    /// orphan) per category, not changes, since one joiner takes several changes.
    public mutating func count(_ changes: [Change]) {
        var people: [ChangeCategory: Set<String>] = [:]
        for change in changes {
            people[change.category, default: []].insert(change.employeeID ?? change.dn)
        }
        joiners = people[.joiner]?.count ?? 0
        movers = people[.mover]?.count ?? 0
        leavers = people[.leaver]?.count ?? 0
        contractEnded = people[.contractEnded]?.count ?? 0
        rehires = people[.rehire]?.count ?? 0
        orphansDisabled = people[.orphan]?.count ?? 0
        self.changes = changes.count
    }
}

/// The verdict of one guard: the numbers it compared and how to override it.
public struct GuardVerdict: Sendable, Codable, Equatable {
    public let guardName: String
    public let passed: Bool
    public let overridable: Bool
    public let text: String
    /// What the guard counted: records read (empty-feed), quarantined rows (bad-rows), enabled
    /// accounts more than people in the feed (feed-shrink), or the budget's leavers, removals,
    /// renames, joiners or grants.
    public var count = 0
    /// It would have stopped the run; `--allow-changes` let it pass.
    public var overridden = false

    /// How reports and the audit log mark the verdict.
    public var mark: String { passed ? (overridden ? "OVERRIDE" : "ok") : "STOP" }
}

/// The ordered changes of one run, with what the report needs around them.
public struct Plan: Sendable, Codable {
    public var runDate: String
    public var instant: String
    public var feed: String
    public var directoryFingerprint: String
    /// The SHA-256 of the config and mappings the plan was made with (`sha256:…`).
    public var configHash: String?
    public var summary: PlanSummary
    public var changes: [Change]
    public var findings: [Finding]
    public var guards: [GuardVerdict]
    /// Who the changes and findings are about, for reports: name, department, title.
    public var people: [PlanPerson] = []

    /// True when a guard stopped the run; nothing may be written then.
    public var isStopped: Bool { guards.contains { !$0.passed } }

    /// True when something in the plan waits on a person and the run exits 1 for it: a
    /// quarantined row, an entry idsync can neither manage nor disable, a managed group
    /// whose DN another kind of entry holds, a placement container that does not exist, or
    /// an employee id that several entries carry, an account outside the people subtree, or
    /// a joiner held as the namesake of an account whose id vanished, or a member of a
    /// group that demands phishing-resistant MFA who is no idsync account.
    public var needsAttention: Bool {
        let human: Set<Finding.Kind> = [.unmanagedEntry, .groupDNTaken, .containerMissing,
                                        .duplicateEmployeeID, .accountOutsidePeople,
                                        .vanishedNamesake, .foreignPrivilegedMember]
        return summary.quarantined > 0 || findings.contains { human.contains($0.kind) }
    }
}

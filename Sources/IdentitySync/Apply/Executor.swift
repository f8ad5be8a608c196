import Foundation

/// What happened to one planned change.
public struct ChangeOutcome: Sendable, Codable {
    public let change: Change
    public let failure: DirectoryFailure?
    public let skipped: String?

    public var succeeded: Bool { failure == nil && skipped == nil }
}

/// Applies a plan through a directory connector, phase by phase.
///
/// Leavers go first so that nothing later in the run can delay a disable. One failed
/// change never stops the others; a change that depends on a failed one (a group add for
/// an account whose creation failed) is skipped and reported.
public final class Executor {
    let connector: DirectoryConnector
    let audit: AuditLog
    let observed: ObservedDirectory
    let placeholder: String
    /// People whose entry is not where later changes expect it: its creation or move failed.
    private var strandedPeople: Set<String> = []
    private var removedMembers: [DistinguishedName: Set<String>] = [:]
    /// Where this run moved accounts, by normalized DN: referential integrity rewrote their
    /// memberships, so the observed members of a group name them where they were.
    private(set) var movedTo: [String: String] = [:]
    /// The observed accounts by normalized DN, made at the first disable or enable recorded.
    private(set) lazy var observedByDN: [String: ObservedAccount] = Dictionary(
        observed.accounts.map { ($0.dn.normalized, $0) }) { first, _ in first }
    private var refusals: [(applies: (Change) -> Bool, failure: DirectoryFailure)] = []
    public private(set) var outcomes: [ChangeOutcome] = []
    /// Set once the connector reports the connection lost; nothing more is sent.
    public private(set) var connectionLost: String?
    /// Directory writes handed to the connector so far.
    public internal(set) var sent = 0
    /// Each phase that had changes, with its writes sent and its wall time: where a slow
    /// night went (printed with IDSYNC_TIMINGS).
    public private(set) var phaseTimes: [(phase: String, writes: Int, seconds: Double)] = []
    /// How many operations' (or changes') attempts go to the disk in one write and one
    /// fsync before they are sent.
    static let attemptBatch = 512
    /// Why a change is skipped: its account was terminated on demand after the plan was made.
    var terminatedSincePlan: [String: String] = [:]

    /// MFA connectors by name; people one of whose MFA changes failed this run.
    let mfa: [String: MFAConnector]
    var mfaFailedPeople: Set<String> = []

    public init(connector: DirectoryConnector, audit: AuditLog, observed: ObservedDirectory,
                placeholder: DistinguishedName, mfa: [MFAConnector] = []) {
        self.mfa = Dictionary(mfa.map { ($0.traits.name, $0) }) { first, _ in first }
        self.connector = connector
        self.audit = audit
        self.observed = observed
        self.placeholder = placeholder.string
    }

    /// The phases, in the order they run, and why.
    enum Phase: Int, CaseIterable {
        // 1. Leavers lose the ability to sign in before anything else is attempted.
        case leaverDisables
        // 2. Then their authenticators and sessions in every MFA connector, and their
        // entitlements; the revocation is recorded complete only when all of it succeeded.
        case leaverMFARevocations, leaverGroupRemovals, revocationRecords
        // 3. Joiners' entries.
        case accountCreations
        // 4. Updates name the entry where it is now; the move follows, and the group
        // changes after it name the new DN.
        case accountUpdates, moves
        // 5. Groups a rule grants that do not exist yet, each added with the members this run
        // grants it (their entries exist by now): for slapd one add that carries its members
        // costs less than an add followed by a modify.
        case groupCreations
        // 6. Grants, and the MFA flags written as group membership.
        case groupAdditions, groupRemovals
        // 7. Joiners' users in the MFA systems, and sessions ended for privileged grants.
        case mfaChanges

        var name: String {
            switch self {
            case .leaverDisables: return "leaver disables"
            case .leaverMFARevocations: return "leaver MFA revocations"
            case .leaverGroupRemovals: return "leaver group removals"
            case .revocationRecords: return "revocation records"
            case .groupCreations: return "group creations"
            case .accountCreations: return "account creations"
            case .accountUpdates: return "account updates"
            case .moves: return "moves"
            case .groupAdditions: return "group additions"
            case .groupRemovals: return "group removals"
            case .mfaChanges: return "MFA changes"
            }
        }

        /// The phase that applies `change`. A departure's enable belongs to none: no plan
        /// makes one, and none is sent.
        init?(of change: Change) {
            let departure = change.category.isDeparture
            switch change.kind {
            case .disable, .setAttributes: self = departure ? .leaverDisables : .accountUpdates
            case .enable:
                guard !departure else { return nil }
                self = .accountUpdates
            case .removeFromGroup: self = departure ? .leaverGroupRemovals : .groupRemovals
            case .recordRevocation: self = .revocationRecords
            case .createGroup: self = .groupCreations
            case .createAccount: self = .accountCreations
            case .move: self = .moves
            case .addToGroup, .flagMFAEnrollment, .requireMFAReverification: self = .groupAdditions
            case .revokeAuthenticators, .deleteAuthenticators, .unassignAuthenticators,
                 .revokeSessions, .ensureMFAUser, .resetMFAFailCounters:
                self = departure ? .leaverMFARevocations : .mfaChanges
            }
        }

        /// The positions of the plan's changes by phase, each phase in plan order: one pass
        /// over the plan (a filter per phase copied every change eleven times), and positions
        /// rather than copies, so that only the running phase's changes are copied.
        static func partition(_ changes: [Change]) -> [[Int]] {
            var byPhase = Array(repeating: [Int](), count: allCases.count)
            for (index, change) in changes.enumerated() {
                guard let phase = Phase(of: change) else { continue }
                byPhase[phase.rawValue].append(index)
            }
            return byPhase
        }

        /// Hands the grants to groups this run creates from the additions to the creations,
        /// after them: each creation carries its members.
        static func moveGrantsToCreatedGroups(_ changes: [Change], _ byPhase: inout [[Int]]) {
            let creations = byPhase[groupCreations.rawValue]
            guard !creations.isEmpty else { return }

            let created = Set(creations.map { Executor.groupKey(changes[$0].dn) })
            var kept: [Int] = []
            for position in byPhase[groupAdditions.rawValue] {
                if created.contains(Executor.groupKey(changes[position].target ?? "")) {
                    byPhase[groupCreations.rawValue].append(position)
                } else {
                    kept.append(position)
                }
            }
            byPhase[groupAdditions.rawValue] = kept
        }
    }

    /// Fails the matching changes without sending them, e.g. every disable when the
    /// directory cannot confirm that a lock stops binds.
    public func refuse(where applies: @escaping (Change) -> Bool, because failure: DirectoryFailure) {
        refusals.append((applies, failure))
    }

    /// Applies every change of the plan. A lost connection ends the sending: what was in
    /// flight is recorded with an unknown outcome, the rest as not sent, and the next run's
    /// read finds out. Throws only when the audit log cannot be written, with the count of
    /// writes sent before it failed; nothing more is sent then.
    public func apply(_ plan: Plan) throws {
        do {
            try applyPhases(plan)
            try audit.writeLater()
        } catch var error as AuditError {
            error.changesSent = sent
            throw error
        }
    }

    private func applyPhases(_ plan: Plan) throws {
        var byPhase = Phase.partition(plan.changes)
        Phase.moveGrantsToCreatedGroups(plan.changes, &byPhase)
        for (phase, positions) in zip(Phase.allCases, byPhase) {
            guard !positions.isEmpty else { continue }
            let changes = positions.map { plan.changes[$0] }
            let started = Date()
            let before = sent
            defer { phaseTimes.append((phase.name, sent - before, Date().timeIntervalSince(started))) }
            recheckTerminations(changes)
            // The MFA systems are not reached through the directory's connection.
            if let lost = connectionLost, !changes[0].kind.isMFAAction {
                for change in changes {
                    try record(change, failure: nil, skipped: "not sent: the directory connection was lost (\(lost)); "
                               + "the next run applies it")
                }
            } else if changes[0].kind.isMFAAction {
                try applyMFA(changes)
            } else if phase == .groupCreations {
                try createGroups(changes)
            } else if changes[0].kind.isGroupMembership {
                try applyMemberships(changes)
            } else {
                try applyEach(changes)
            }
        }
    }

    private func applyEach(_ changes: [Change]) throws {
        var ready: [Change] = []
        for change in changes {
            if let refusal = refusals.first(where: { $0.applies(change) }) {
                try record(change, failure: refusal.failure, skipped: nil)
            } else if let reason = skipReason(change) {
                try record(change, failure: nil, skipped: reason)
            } else {
                ready.append(change)
            }
        }
        let operations = ready.map(operation(for:))
        try send(operations, covering: ready, spans: Executor.one(each: ready)) { index, result in
            try record(ready[index], result: result)
        }
    }

    private func skipReason(_ change: Change) -> String? {
        if let why = terminationSkip(change) { return why }
        if change.kind == .recordRevocation, let id = change.employeeID, mfaFailedPeople.contains(id) {
            return "an MFA revocation of this person failed this run; the next run tries again"
        }
        guard !change.category.isDeparture, let id = change.employeeID, strandedPeople.contains(id) else {
            return nil
        }
        return "this person's account creation or move failed, so the entry is not where this change expects it"
    }

    private func operation(for change: Change) -> DirectoryOperation {
        switch change.kind {
        case .createGroup:
            return .createGroup(dn: change.dn, members: [change.target ?? placeholder])
        case .createAccount:
            return .create(dn: change.dn, attributes: change.attributes, state: change.state ?? "",
                           locked: change.createsLockedAccount)
        case .move:
            return .rename(dn: change.dn, newDN: change.target ?? change.dn)
        case .disable:
            return .update(dn: change.dn, attributes: change.attributes, state: change.state, lock: .lock,
                           wipe: change.wipe ?? [])
        case .enable:
            return .update(dn: change.dn, attributes: change.attributes, state: change.state, lock: .unlock)
        default:
            return .update(dn: change.dn, attributes: change.attributes, state: change.state, lock: nil,
                           wipe: change.wipe ?? [])
        }
    }

    /// Creates the groups, each with the members granted to it this run (the changes after
    /// the creations), or with the placeholder when none is left to add. A creation that
    /// fails with members is sent again with the placeholder alone, and its members then go
    /// as grants, so that a refused member fails on its own and not the whole group.
    private func createGroups(_ changes: [Change]) throws {
        var grants: [String: [Change]] = [:]
        for change in changes where change.kind != .createGroup {
            if let reason = skipReason(change) {
                try record(change, failure: nil, skipped: reason)
            } else {
                grants[Executor.groupKey(change.target ?? ""), default: []].append(change)
            }
        }

        // Each creation followed by its grants, copied once: operation i makes batch[spans[i]].
        var batch: [Change] = []
        var spans: [Range<Int>] = []
        for creation in changes where creation.kind == .createGroup {
            let start = batch.count
            batch.append(creation)
            batch.append(contentsOf: grants[Executor.groupKey(creation.dn)] ?? [])
            spans.append(start..<batch.count)
        }
        let operations = spans.map { span in
            let members = batch[span].dropFirst().map(\.dn)
            let dn = batch[span.lowerBound].dn
            return DirectoryOperation.createGroup(dn: dn, members: members.isEmpty ? [placeholder] : members)
        }

        var refused: [(span: Range<Int>, failure: DirectoryFailure)] = []
        try send(operations, covering: batch, spans: spans) { index, result in
            if case .failure(let failure) = result, spans[index].count > 1 {
                refused.append((spans[index], failure))
                return
            }
            for position in spans[index] { try record(batch[position], result: result) }
        }
        guard try retryPossible(refused, in: batch) else { return }

        let creations = refused.map { batch[$0.span.lowerBound] }
        let alone = creations.map { DirectoryOperation.createGroup(dn: $0.dn, members: [placeholder]) }
        try send(alone, covering: creations, spans: Executor.one(each: creations)) { index, result in
            try record(creations[index], result: result)
        }
        try applyMemberships(refused.flatMap { batch[$0.span].dropFirst() })
    }

    /// Whether operations refused as a batch can be sent again one by one: not once the
    /// connection is lost, when each change keeps the failure its batch got.
    private func retryPossible(_ refused: [(span: Range<Int>, failure: DirectoryFailure)],
                               in changes: [Change]) throws -> Bool {
        guard !refused.isEmpty else { return false }
        guard connectionLost != nil else { return true }

        for (span, failure) in refused {
            for change in changes[span] { try record(change, failure: failure, skipped: nil) }
        }
        return false
    }

    /// A group's DN as the creations and the grants are matched on.
    static func groupKey(_ dn: String) -> String {
        (try? DistinguishedName.normalize(dn)) ?? dn.lowercased()
    }

    /// Group changes go many values per modify: one modify per group. If a batch fails,
    /// each of its values is retried alone so that the failure lands on the right person.
    private func applyMemberships(_ changes: [Change]) throws {
        var byGroup: [String: [Int]] = [:]
        var order: [String] = []
        for (position, change) in changes.enumerated() {
            if let reason = skipReason(change) {
                try record(change, failure: nil, skipped: reason)
                continue
            }
            let group = change.target ?? ""
            if byGroup[group] == nil { order.append(group) }
            byGroup[group, default: []].append(position)
        }

        // The changes in group order, copied once: the modify of group i makes grouped[spans[i]].
        var grouped: [Change] = []
        var spans: [Range<Int>] = []
        for group in order {
            let start = grouped.count
            grouped.append(contentsOf: byGroup[group]!.lazy.map { changes[$0] })
            spans.append(start..<grouped.count)
        }
        var refused: [(span: Range<Int>, failure: DirectoryFailure)] = []
        try send(spans.map { membershipOperation(grouped[$0]) }, covering: grouped, spans: spans) {
            index, result in
            if case .failure(let failure) = result, spans[index].count > 1 {
                refused.append((spans[index], failure))
                return
            }
            for position in spans[index] { try record(grouped[position], result: result) }
        }
        guard try retryPossible(refused, in: grouped) else { return }

        let retry = refused.flatMap { grouped[$0.span] }
        let singles = retry.indices.map { membershipOperation(retry[$0...$0]) }
        try send(singles, covering: retry, spans: Executor.one(each: retry)) { index, result in
            try record(retry[index], result: result)
        }
    }

    /// One span per change: each operation makes one change.
    private static func one(each changes: [Change]) -> [Range<Int>] {
        changes.indices.map { $0..<($0 + 1) }
    }

    private func membershipOperation(_ batch: ArraySlice<Change>) -> DirectoryOperation {
        let group = batch.first?.target ?? ""
        let adds = batch.filter { $0.kind != .removeFromGroup }.map(\.dn)
        var removes = batch.filter { $0.kind == .removeFromGroup }.map(\.dn)
        var addsWithPlaceholder = adds
        if !removes.isEmpty, adds.isEmpty, wouldEmpty(group: group, removing: removes) {
            addsWithPlaceholder.append(placeholder)
            removes.removeAll { $0 == placeholder }
        }
        return .groupMembers(group: group, add: addsWithPlaceholder, remove: removes)
    }

    /// A groupOfNames must keep one member: true when these removals, with those of earlier
    /// phases, take the last one and the placeholder is not there to stay.
    private func wouldEmpty(group: String, removing: [String]) -> Bool {
        guard let dn = try? DistinguishedName(parsing: group), let observedGroup = observed.groups[dn] else {
            return false
        }
        let gone = Set(removing.compactMap { try? DistinguishedName.normalize($0) })
        removedMembers[dn, default: []].formUnion(gone)
        let members = movedTo.isEmpty
            ? observedGroup.members : Set(observedGroup.members.map { movedTo[$0] ?? $0 })
        return members.subtracting(removedMembers[dn] ?? []).isEmpty
    }

    /// Sends the operations, many in flight; operation i makes `changes[spans[i]]`, and the
    /// spans follow one another in order (the changes are never copied per operation: a large
    /// load has hundreds of thousands).
    /// The attempt records of the next batch go to the disk (one write, one fsync) just
    /// before its first operation is sent, while the operations before it are still in
    /// flight: slapd keeps working while the records are written. A failed audit write
    /// stops the sending; what is in flight is still recorded where the log allows.
    private func send(_ operations: [DirectoryOperation], covering changes: [Change],
                      spans: [Range<Int>],
                      _ handle: (Int, Result<Void, DirectoryFailure>) throws -> Void) throws {
        guard connectionLost == nil, !operations.isEmpty else { return }
        var recorded = 0      // operations whose attempt records are on the disk
        var offered = 0       // operations handed to the connection
        var thrown: Error?
        let ready = { (index: Int) -> Bool in
            guard thrown == nil else { return false }
            if index >= recorded {
                do {
                    recorded = try self.recordAttempts(of: changes, spans: spans, from: index)
                } catch {
                    thrown = error
                    return false
                }
            }
            offered = index + 1
            self.sent += 1
            return true
        }
        do {
            try connector.write(operations, ready: ready) { index, result in
                guard thrown == nil else { return }
                do {
                    if index >= offered, case .failure(let failure) = result {
                        try notSent(changes[spans[index]], because: failure)
                    } else {
                        try handle(index, result)
                    }
                } catch {
                    thrown = error
                }
            }
        } catch {
            connectionLost = "\(error)"
        }
        if let thrown { throw thrown }
    }

    /// Writes and flushes the attempt records of the operations from `start` on, up to
    /// `attemptBatch` operations or changes; returns the index after the last one covered.
    private func recordAttempts(of changes: [Change], spans: [Range<Int>],
                                from start: Int) throws -> Int {
        var end = start
        var count = 0
        let limit = Executor.attemptBatch
        while end < spans.count && end - start < limit && count < limit {
            count += spans[end].count
            end += 1
        }
        try recordAttempts(changes[spans[start].lowerBound..<spans[end - 1].upperBound])
        return end
    }

    /// The connection was lost before these changes' operation went out.
    private func notSent(_ changes: ArraySlice<Change>, because failure: DirectoryFailure) throws {
        for change in changes {
            try record(change, failure: nil, skipped: "not sent: the directory connection was lost "
                       + "(\(failure)); the next run applies it")
        }
    }

    /// What is about to be sent, without the values: the result record that follows has them.
    func recordAttempts<Changes: Collection<Change>>(_ changes: Changes) throws {
        try audit.appendAll(changes) { change, entry in
            entry.event = "attempt"
            entry.action = change.kind.rawValue
            entry.employeeID = change.employeeID
            entry.dn = change.dn
            entry.target = change.target
            entry.detail = change.wipeDescription
        }
    }

    private func record(_ change: Change, result: Result<Void, DirectoryFailure>) throws {
        switch result {
        case .success: try record(change, failure: nil, skipped: nil)
        case .failure(let failure): try record(change, failure: failure, skipped: nil)
        }
    }

    func record(_ change: Change, failure: DirectoryFailure?, skipped: String?) throws {
        if failure != nil || skipped != nil, change.kind == .createAccount || change.kind == .move,
           let id = change.employeeID {
            strandedPeople.insert(id)
        }
        if failure == nil, skipped == nil, change.kind == .move, let target = change.target,
           let from = try? DistinguishedName.normalize(change.dn),
           let to = try? DistinguishedName.normalize(target) {
            movedTo[from] = to
        }
        outcomes.append(ChangeOutcome(change: change, failure: failure, skipped: skipped))
        // The attempt is on the disk already (or, for a skip, nothing was sent).
        try audit.appendLater { entry in
            entry.action = change.kind.rawValue
            entry.employeeID = change.employeeID
            entry.dn = change.dn
            entry.target = change.target
            entry.before = Dictionary(change.attributes.map { ($0.name, $0.before) }) { a, _ in a }
            entry.after = Dictionary(change.attributes.map { ($0.name, $0.after) }) { a, _ in a }
            if change.kind.isGroupMembership, change.attributes.isEmpty, let group = change.target {
                // A membership change edits the group, not the account: the record says what
                // the person's membership of that group was and became.
                let adds = change.kind != .removeFromGroup
                entry.before = ["memberOf": adds ? [] : [group]]
                entry.after = ["memberOf": adds ? [group] : []]
            }
            if let state = change.state { entry.after?["state"] = [state] }
            recordAccountChange(change, into: &entry)
            entry.reason = "\(change.reason.rule): \(change.reason.text)"
            entry.result = failure.map { $0.outcomeUnknown ? "unknown" : "error" } ?? (skipped == nil ? "ok" : "skipped")
            entry.error = failure
            entry.detail = skipped ?? change.wipeDescription
        }
    }
}

extension Executor {
    /// A disable or an enable names the lock and idsync's state before and after; a move,
    /// the DN it had and the one it has. An account's credentials are never values here: a
    /// wipe is named in `detail`.
    func recordAccountChange(_ change: Change, into entry: inout AuditRecord) {
        switch change.kind {
        case .move:
            entry.before = ["dn": [change.dn]]
            entry.after = ["dn": [change.target ?? change.dn]]
        case .disable, .enable:
            let account = observedAccount(at: change.dn)
            let before = connector.lockValues(account?.lock ?? .none)
            let after = connector.lockValues(change.kind == .disable ? .administrative : .none)
            entry.before?[before.attribute] = before.values
            entry.before?["state"] = account?.state.map { [$0.stored] } ?? []
            entry.after?[after.attribute] = after.values
            entry.after?["state"] = change.state.map { [$0] } ?? entry.before?["state"]
        default:
            return
        }
    }

    /// The account as observed at `dn`, or where this run moved it from.
    private func observedAccount(at dn: String) -> ObservedAccount? {
        guard let key = try? DistinguishedName.normalize(dn) else { return nil }
        let original = movedTo.first { $0.value == key }?.key ?? key
        return observedByDN[original]
    }
}

extension ChangeCategory {
    /// Leavers, ended contracts and disabled orphans: the changes that go first.
    var isDeparture: Bool { self == .leaver || self == .contractEnded || self == .orphan }
}

extension ChangeKind {
    var isGroupMembership: Bool {
        self == .addToGroup || self == .removeFromGroup || self == .flagMFAEnrollment
            || self == .requireMFAReverification
    }
}

import Foundation

/// What terminating one account still takes, worked out from a fresh read of it: the
/// disable (or the write that records the termination on an account already locked) and
/// the removal from each managed group that still lists it. A step already done is absent,
/// so running the same command again does only what is missing.
public struct TerminationSteps: Sendable {
    public let found: FoundAccount
    /// Why automation must not touch the account, when it is protected.
    public let protectedReason: String?
    public let disable: Change?
    public let groupRemovals: [Change]
    /// The managed groups that list the account now.
    public let managedGroups: [DistinguishedName]
    /// A one-account view of the directory, as the executor wants it.
    public let directory: ObservedDirectory

    public var isEmergencyLock: Bool { protectedReason != nil }
}

/// Why a termination is refused before anything is written.
public struct TerminationRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TerminationSteps {
    /// The steps for `found` under `request`. Throws a refusal for an account outside the
    /// managed subtree, or a protected one without the emergency flag.
    public init(config: Config, request: TerminationRequest, found: FoundAccount) throws {
        let directory = TerminationSteps.view(of: found, config: config)
        let work = PlanningState(config: config, directory: directory)
        let account = found.account
        let protected = work.protectedReason(account)
        try TerminationSteps.check(found, protected: protected, request: request)

        // The nightly leaver's own changes, so that a disable here is the disable there.
        var leaver = work
        let planner = Planner(config: config, instant: request.instant)
        planner.planLeaver(account, person: nil, reason: .leaver, evidence: [], work: &leaver)
        let reason = TerminationSteps.reason(request, protected: protected)
        let today = LocalDate(request.instant, in: config.timeZone)

        self.found = found
        self.protectedReason = protected
        self.directory = directory
        self.managedGroups = work.managedGroupDNs.filter { work.isMember(account.dn, of: $0) }
        // An emergency lock of a protected account only locks: its groups and authenticators
        // belong to its owners, and a reinstate can undo a lock completely.
        self.groupRemovals =
            protected != nil
            ? []
            : leaver.changes.filter { $0.kind == .removeFromGroup }
                .map { $0.replacing(state: nil, reason: reason) }
        self.disable = TerminationSteps.disable(
            account, leaver.changes, reason: reason, today: today,
            reference: request.reference, config: config)
    }

    /// The account and the watched groups that list it: enough for the planner's protection
    /// check and group membership, with nothing else of the directory read.
    public static func view(of found: FoundAccount, config: Config) -> ObservedDirectory {
        var watched = Set(config.roles.managedGroups.map(config.groupDN)).union(
            config.protected.groups)
        for flag in [config.policy.enrollmentGroup, config.policy.reverificationGroup].compactMap({
            $0
        }) {
            watched.insert(config.groupDN(flag))
        }
        var groups: [DistinguishedName: ObservedGroup] = [:]
        for group in found.groups where watched.contains(group) {
            groups[group] = ObservedGroup(dn: group, members: [found.account.dn.normalized])
        }
        return ObservedDirectory(
            accounts: [found.account], groups: groups, takenNames: [], fingerprint: "")
    }

    private static func check(
        _ found: FoundAccount, protected: String?, request: TerminationRequest
    ) throws {
        let dn = found.account.dn.string
        if let protected, !request.emergencyProtected {
            throw TerminationRefusal(
                "\(dn) is a protected account (\(protected)); terminate refuses it, and "
                    + "nothing was changed. If this is an emergency lock of that account, run "
                    + "the command again with --emergency-protected: it is audited as such")
        }
        if !found.isManagedSubtree, protected == nil {
            throw TerminationRefusal(
                "\(dn) lies outside the people subtree idsync manages; terminate refuses "
                    + "it, and nothing was changed")
        }
    }

    public static func reason(_ request: TerminationRequest, protected: String?) -> Reason {
        var fields = [FieldEvidence(field: "reason", value: request.reason)]
        if let ticket = request.ticket {
            fields.append(FieldEvidence(field: "ticket", value: ticket))
        }
        guard let protected else {
            return Reason(
                rule: "on-demand-termination", text: "terminated on demand by an operator",
                fields: fields)
        }
        return Reason(
            rule: "emergency-lock",
            text: "emergency lock of a protected account (\(protected)) "
                + "by an operator", fields: fields)
    }

    /// The leaver's disable with the termination fact added; where the account is already
    /// locked by idsync, a state write that adds the fact; nil when lock and fact are there.
    static func disable(
        _ account: ObservedAccount, _ leaverChanges: [Change], reason: Reason, today: LocalDate,
        reference: String, config: Config
    ) -> Change? {
        let planned = leaverChanges.first { $0.kind == .disable || $0.kind == .setAttributes }
        let old = account.state ?? AccountState()
        var state = planned?.state.flatMap(AccountState.init(stored:)) ?? old
        // Locked, the fact recorded, and no credential left to take: done.
        let recorded = old.terminatedOn != nil && account.lock == .administrative
        guard !recorded || planned?.wipe != nil else { return nil }
        if state.terminatedOn == nil {
            state.terminatedOn = today
            state.terminationRef = reference
        }
        state.revocationPending = true
        if let planned { return planned.replacing(state: state.stored, reason: reason) }
        let classes = Planner(config: config, instant: Date()).stateClassEdit(account)
        return Change(
            kind: .setAttributes, category: .leaver, employeeID: account.employeeID,
            login: account.login, dn: account.dn.string, attributes: classes,
            state: state.stored, reason: reason)
    }
}

extension Change {
    /// The same change with another state and reason.
    func replacing(state: String?, reason: Reason) -> Change {
        Change(
            kind: kind, category: category, employeeID: employeeID, login: login, dn: dn,
            target: target,
            attributes: attributes, state: state, reason: reason, wipe: wipe)
    }
}

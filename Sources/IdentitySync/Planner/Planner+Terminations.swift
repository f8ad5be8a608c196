import Foundation

extension Planner {
    /// An account an operator terminated on demand. HR is asked what it says now:
    /// - a termination (or ended contract): an ordinary leaver from here on, and the
    ///   on-demand fact goes, since HR now says the same;
    /// - a hire after the termination date: a rehire, planned the usual way (false);
    /// - anything else: the account stays disabled and out of its groups, and the report
    ///   lists the conflict for HR to fix, until HR agrees or an operator reinstates.
    /// Returns true when it planned the person.
    func planAfterTermination(
        _ account: ObservedAccount, person: Person, decision: LifecycleDecision,
        work: inout PlanningState
    ) -> Bool {
        guard let state = account.state, let terminated = state.terminatedOn else { return false }
        switch decision.state {
        case .leaver, .contractEnded:
            planConfirmedTermination(account, person: person, decision: decision, work: &work)
            return true
        case .active, .leaveOfAbsence, .preHire:
            if let hire = person.hireDate, hire > terminated { return false }
            let ref = state.terminationRef.map { " (\($0))" } ?? ""
            work.finding(
                .conflict, person.employeeID, account.dn.string,
                "\(person.source): terminated on demand on \(terminated)\(ref), but HR shows "
                    + "the person \(person.status.rawValue) with no termination: the account stays "
                    + "disabled. HR should record the termination; if the termination was a "
                    + "mistake, run: idsync reinstate --employee \(shellWord(person.employeeID)) "
                    + "--reason TEXT")
            let evidence = [
                FieldEvidence(field: "terminated_on_demand", value: "\(terminated)"),
                FieldEvidence(field: "status", value: person.status.rawValue),
            ]
            planLeaver(account, person: person, reason: .leaver, evidence: evidence, work: &work)
            return true
        }
    }

    /// HR now records the termination: the leaver's own changes, with the on-demand fact
    /// taken off the state they write; where they write none, one state write takes it off.
    private func planConfirmedTermination(
        _ account: ObservedAccount, person: Person, decision: LifecycleDecision,
        work: inout PlanningState
    ) {
        var cleared = account
        cleared.state?.clearTermination()
        let before = work.changes.count
        let reason: DisableReason = decision.state == .leaver ? .leaver : .contractEnded
        planLeaver(
            cleared, person: person, reason: reason, evidence: decision.evidence, work: &work)
        let writesState = work.changes[before...].contains {
            $0.dn == account.dn.string && $0.state != nil
        }
        guard !writesState, let state = cleared.state else { return }
        let category: ChangeCategory = reason == .leaver ? .leaver : .contractEnded
        work.add(
            Change(
                kind: .setAttributes, category: category, employeeID: person.employeeID,
                login: account.login, dn: account.dn.string, state: state.stored,
                reason: Reason(
                    rule: "lifecycle",
                    text: "HR now records the termination that an operator "
                        + "made on demand: the on-demand fact is no longer needed",
                    fields: decision.evidence)))
    }
}

extension AccountState {
    /// Takes the on-demand termination fact off: HR agrees now, or a rehire, or a reinstate.
    public mutating func clearTermination() {
        terminatedOn = nil
        terminationRef = nil
    }
}

/// `text` as one shell word in single quotes, so that a hint naming a hostile employee id can
/// be pasted into a shell as it is.
func shellWord(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

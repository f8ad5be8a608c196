import Foundation

extension Executor {
    /// Before a phase is sent, the accounts it would enable, grant or write state on are read
    /// again: one an operator terminated on demand after the plan was made (`idsync
    /// terminate`, which does not wait for ever for this run's lock) must not get its access
    /// back from a plan that predates the termination. Accounts this run created are not read:
    /// no plan could have known about a termination of them, and terminate removes what a
    /// grant adds after its own read.
    func recheckTerminations(_ changes: [Change]) {
        // No account, nothing an operator could have terminated (a first load).
        guard !observed.accounts.isEmpty else { return }
        var candidates: [String: [Change]] = [:]
        for change in changes where Executor.needsRecheck(change) {
            candidates[Person.key(change.employeeID ?? ""), default: []].append(change)
        }
        guard !candidates.isEmpty else { return }

        // Only accounts that had no termination fact when the plan was made: a plan made
        // after a termination already knows about it.
        var dns: Set<String> = []
        for account in observed.accounts where account.state?.terminatedOn == nil {
            guard let id = account.employeeID, let planned = candidates[Person.key(id)] else {
                continue
            }
            dns.formUnion(planned.map(\.dn))
        }
        for dn in dns.sorted() {
            do {
                guard let state = try connector.currentState(of: dn), let date = state.terminatedOn
                else { continue }
                terminatedSincePlan[dn] =
                    "terminated on demand on \(date) (\(state.terminationRef ?? "no reference")) "
                    + "after this run's plan was made: not re-enabled or re-granted"
            } catch {
                terminatedSincePlan[dn] =
                    "could not read the account again to check for an on-demand termination "
                    + "(\(error)); not sent, the next run applies it"
            }
        }
    }

    func terminationSkip(_ change: Change) -> String? {
        guard !terminatedSincePlan.isEmpty, Executor.needsRecheck(change) else { return nil }
        return terminatedSincePlan[change.dn]
    }

    /// An enable, a group addition, or any other write of the state of an existing person's
    /// account (which would drop a termination fact written meanwhile). Departures go on.
    static func needsRecheck(_ change: Change) -> Bool {
        guard !change.category.isDeparture, change.employeeID != nil else { return false }
        switch change.kind {
        case .enable, .addToGroup, .flagMFAEnrollment, .requireMFAReverification: return true
        case .createAccount, .createGroup: return false
        default: return change.state != nil
        }
    }
}

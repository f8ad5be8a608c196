import Foundation

/// Bulk reconciliation: a connector that lists every owner's usable authenticators in a few
/// paged calls is checked against every account idsync disabled for good (leaver, ended
/// contract, vanished, terminated), however long ago and even when its revocation was
/// recorded complete. A token assigned to a leaver behind idsync's back is revoked the next
/// run, for a number of calls that grows with the tokens in use, not with years of leavers.
extension MFAPlanner {
    func reconciliations(_ agenda: MFAAgenda, draft: Plan, directory: ObservedDirectory,
                         observations: MFAObservations, plan: inout Plan) -> [Change] {
        let bulk = observations.connectors.filter(\.listsInBulk)
        guard !bulk.isEmpty else { return [] }
        let settled = settledLeavers(agenda, draft: draft, directory: directory)
        var changes: [Change] = []
        for connector in bulk {
            switch observations.owners[connector.name] {
            case .failure(let failure):
                plan.findings.append(Finding(kind: .mfaUnchecked, employeeID: nil, dn: nil,
                                             text: "\(connector.name) could not list every owner's "
                                                 + "authenticators (\(failure.message)): disabled accounts "
                                                 + "were not checked for tokens assigned since; the next run "
                                                 + "tries again"))
            case .success(let owners):
                changes += reconcile(connector, owners, settled)
            case nil:
                continue
            }
        }
        return changes
    }

    /// Each owner that is a settled leaver, with what the connector still shows as usable.
    private func reconcile(_ connector: MFAConnectorTraits, _ owners: [MFAOwner: [Authenticator]],
                           _ settled: [MFAOwner: MFAAgenda.Departure]) -> [Change] {
        let (kind, verb) = MFAPlanner.leaverChange(connector.leaverPolicy)
        var found: [String: (MFAAgenda.Departure, [Authenticator])] = [:]
        for (owner, authenticators) in owners {
            guard let departure = settled[owner] else { continue }
            let usable = authenticators.filter(\.usable)
            guard !usable.isEmpty else { continue }
            let key = Person.key(departure.subject.employeeID)
            found[key, default: (departure, [])].1 += usable
        }
        return found.keys.sorted().compactMap { key in
            guard let (departure, usable) = found[key] else { return nil }
            let after = connector.leaverPolicy != .revoke ? [] : usable.map {
                Authenticator(id: $0.id, type: $0.type, kind: $0.kind, usable: false, revoked: true).label
            }
            let disabled = departure.state.disabledOn.map { " on \($0)" } ?? ""
            let why = departure.state.disabledBy?.rawValue ?? "leaver"
            return Change(kind: kind, category: departure.category, employeeID: departure.subject.employeeID,
                          login: departure.subject.login, dn: departure.subject.dn, target: connector.name,
                          attributes: [AttributeEdit(name: "authenticators", before: usable.map(\.label),
                                                     after: after)],
                          reason: Reason(rule: "mfa-reconciliation",
                                         text: "disabled\(disabled) (\(why)), yet \(connector.name) lists usable "
                                             + "authenticators: every one is \(verb)"))
        }
    }

    /// Accounts idsync disabled for good whose revocation this run does not already plan,
    /// by every key a connector may name their owner by.
    private func settledLeavers(_ agenda: MFAAgenda, draft: Plan,
                                directory: ObservedDirectory) -> [MFAOwner: MFAAgenda.Departure] {
        let departing = Set(agenda.departures.map { Person.key($0.subject.employeeID) })
        let planned = MFAAgenda.plannedStates(draft)
        var work: PlanningState?
        var settled: [MFAOwner: MFAAgenda.Departure] = [:]
        for account in directory.accounts where account.lock == .administrative {
            guard let id = account.employeeID, !id.isEmpty, !departing.contains(Person.key(id)) else { continue }
            // A rehire this run is enrolled anew: the draft's state no longer says revoke.
            guard let state = planned[Person.key(id)]?.state ?? account.state, state.revocationPending,
                  state.disabledBy != nil else { continue }
            if work == nil { work = PlanningState(config: config, directory: directory) }
            guard work?.protectedReason(account) == nil else { continue }
            let category: ChangeCategory = state.disabledBy == .contractEnded ? .contractEnded : .leaver
            let departure = MFAAgenda.Departure(subject: MFAAgenda.subject(id, account), category: category,
                                                state: state)
            settled[.login(of: account.login)] = departure
            settled[.employeeID(of: id)] = departure
            settled[.dn(account.dn.normalized)] = departure
        }
        return settled
    }
}

import Foundation

/// A mover whose access grew waits in the re-verification group until a connector's log shows
/// an MFA sign-in after the demand; then the fact is cleared and the group membership goes.
/// A connector that cannot tell (no documented log) or cannot be read keeps the fact.
extension MFAPlanner {
    /// The log queries due: demands an earlier run made. One this run made, or one stored
    /// without its time, has nothing to ask about yet.
    func reverificationQueries(_ agenda: MFAAgenda) -> [MFAReverification] {
        agenda.reverifications.compactMap { pending in
            guard let since = pending.state.reverificationDemanded, since < instant else {
                return nil
            }
            return MFAReverification(subject: pending.subject, since: since)
        }
    }

    func planReverifications(_ agenda: MFAAgenda, _ observations: MFAObservations,
                             directory: ObservedDirectory, plan: inout Plan, added: inout [Change],
                             dropped: inout Set<Int>) {
        for pending in agenda.reverifications {
            guard let since = pending.state.reverificationDemanded else {
                dateDemand(pending, plan: &plan, added: &added)
                continue
            }
            guard since < instant else { continue }
            let query = MFAReverification(subject: pending.subject, since: since)
            let answers = observations.connectors.map { connector in
                (connector.name, observations.verification(connector.name, query))
            }
            let evidence = answers.compactMap { name, answer -> String? in
                guard case .success(.verified(let evidence)) = answer else { return nil }
                return "\(name): \(evidence)"
            }
            guard evidence.isEmpty else {
                clearDemand(pending, evidence: evidence, directory: directory, plan: &plan,
                            added: &added, dropped: &dropped)
                continue
            }
            plan.findings.append(waiting(pending.subject, since: since, answers: answers))
        }
    }

    /// A bare `reverify` from an older run: dated now, so that only a sign-in from now on counts.
    private func dateDemand(_ pending: MFAAgenda.Reverification, plan: inout Plan,
                            added: inout [Change]) {
        let text = "the re-verification demand was stored without its time by an older idsync: "
            + "dated " + AccountState.stamp(instant) + "; an MFA sign-in from then on ends it"
        writeState(of: pending, reason: Reason(rule: "mfa-reverification", text: text), plan: &plan,
                   added: &added) { $0.reverificationDemanded = instant }
    }

    /// Clears the fact (an audited state write) and takes the person out of the flag group.
    private func clearDemand(_ pending: MFAAgenda.Reverification, evidence: [String],
                             directory: ObservedDirectory, plan: inout Plan, added: inout [Change],
                             dropped: inout Set<Int>) {
        let text = "re-verified (\(evidence.joined(separator: "; "))): "
            + "the re-verification flag is cleared"
        let reason = Reason(rule: "mfa-reverification", text: text)
        writeState(of: pending, reason: reason, plan: &plan, added: &added) { state in
            state.reverificationPending = false
            state.reverificationDemanded = nil
        }

        // The draft puts back a flag removed by hand; the demand is met, so it need not.
        let key = Person.key(pending.subject.employeeID)
        for (index, change) in plan.changes.enumerated()
        where change.kind == .requireMFAReverification
            && change.employeeID.map(Person.key) == key {
            dropped.insert(index)
        }
        guard let flag = config.policy.reverificationGroup else { return }
        let group = config.groupDN(flag)
        let members = directory.groups[group]?.members
        guard members?.contains(pending.account.dn.normalized) == true else { return }
        added.append(Change(kind: .removeFromGroup, category: .mover,
                            employeeID: pending.subject.employeeID, login: pending.subject.login,
                            dn: pending.account.dn.string, target: group.string, reason: reason))
    }

    /// Changes the state the person's account carries once the plan is applied: on the last
    /// change that already writes one (the draft's or one added this run), else on a new one.
    private func writeState(of pending: MFAAgenda.Reverification, reason: Reason, plan: inout Plan,
                            added: inout [Change], _ edit: (inout AccountState) -> Void) {
        let key = Person.key(pending.subject.employeeID)
        let carries = { (change: Change) in
            change.state != nil && change.employeeID.map(Person.key) == key
        }
        if let index = added.indices.last(where: { carries(added[$0]) }) {
            added[index] = added[index].with(state: edited(added[index].state, pending.state, edit))
        } else if let index = plan.changes.indices.last(where: { carries(plan.changes[$0]) }) {
            plan.changes[index] = plan.changes[index].with(state: edited(plan.changes[index].state,
                                                                         pending.state, edit))
        } else {
            var state = pending.state
            edit(&state)
            let subject = pending.subject
            added.append(Change(kind: .setAttributes, category: .mover, employeeID: subject.employeeID,
                                login: subject.login, dn: pending.account.dn.string,
                                state: state.stored, reason: reason))
        }
    }

    private func edited(_ stored: String?, _ fallback: AccountState,
                        _ edit: (inout AccountState) -> Void) -> String {
        var state = stored.flatMap(AccountState.init(stored:)) ?? fallback
        edit(&state)
        return state.stored
    }

    /// Still waiting: what each connector said. A log that could not be read is `mfa-unchecked`,
    /// as a factor listing that failed is; otherwise the person has not signed in yet.
    private func waiting(_ subject: MFASubject, since: Date,
                         answers: [(String, Result<MFAVerification, MFAFailure>)]) -> Finding {
        var unread = false
        let parts = answers.map { name, answer -> String in
            switch answer {
            case .success(.verified(let evidence)): return "\(name): \(evidence)"
            case .success(.notSince): return "\(name): no MFA sign-in since"
            case .success(.unknown(let why)): return "\(name): cannot tell (\(why))"
            case .failure(let failure):
                unread = true
                return "\(name): the log could not be read (\(failure.message)); "
                    + "the next run asks again"
            }
        }
        let text = "still waiting to re-verify MFA, demanded at \(AccountState.stamp(since)); "
            + parts.joined(separator: "; ")
        return finding(unread ? .mfaUnchecked : .reverificationPending, subject, text)
    }
}

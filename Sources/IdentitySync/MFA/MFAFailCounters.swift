import Foundation

/// Failed-attempt counters reset for someone whose account comes back from a lock idsync made
/// while their authenticators were kept: back from a leave of absence, or re-opened by IT after
/// a lapsed enrollment. Attempts made while the account was locked (the person trying, a
/// resolver that cannot find them) may have run the counters up to the token's limit, and the
/// person would return to a locked authenticator and a help-desk call.
///
/// Nobody else gets one: a rehire's authenticators were revoked and are enrolled anew, and a
/// reset never re-enables or un-revokes a token, so a leaver's old ones stay dead.
extension MFAPlanner {
    func failCounterResets(_ draft: Plan, directory: ObservedDirectory,
                           observations: MFAObservations) -> [Change] {
        let connectors = observations.connectors.filter(\.resetsFailCounters)
        guard !connectors.isEmpty else { return [] }
        let planned = MFAAgenda.plannedStates(draft)
        var changes: [Change] = []
        for account in directory.accounts {
            guard let id = account.employeeID, let why = account.state?.disabledBy,
                  why == .leaveOfAbsence || why == .enrollmentLapsed,
                  let next = planned[Person.key(id)]?.state, next.disabledBy == nil else { continue }
            let text = why == .leaveOfAbsence
                ? "back from leave: failed attempts made while the account was locked are forgotten"
                : "enrollment re-opened by IT: failed attempts made while the account was locked are forgotten"
            let subject = MFAAgenda.subject(id, account)
            changes += connectors.map { connector in
                Change(kind: .resetMFAFailCounters, category: why == .leaveOfAbsence ? .mover : .joiner,
                       employeeID: id, login: subject.login, dn: subject.dn, target: connector.name,
                       reason: Reason(rule: "mfa-failcounters", text: text))
            }
        }
        return changes
    }
}

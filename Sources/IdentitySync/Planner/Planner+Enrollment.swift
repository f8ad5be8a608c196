import Foundation

extension Planner {
    /// An account locked because its enrollment window closed without a factor: it stays
    /// locked, so that nobody can enroll it later by talking the help desk into it, until IT
    /// re-opens enrollment by unlocking it. Then the window starts again from today.
    func planLapsedEnrollment(_ person: Person, decision: LifecycleDecision, account: ObservedAccount,
                              work: inout PlanningState) {
        guard account.lock == .none else {
            work.finding(.held, person.employeeID, account.dn.string,
                         "locked since \(account.state?.disabledOn.map { "\($0)" } ?? "?"): the MFA enrollment "
                             + "window closed without a factor; IT re-opens enrollment by unlocking the account")
            return
        }
        var state = account.state ?? AccountState()
        state.disabledBy = nil
        state.disabledOn = nil
        state.createdOn = decision.localDate
        state.enrollmentPending = true
        work.add(Change(kind: .setAttributes, category: .joiner, employeeID: person.employeeID, login: account.login,
                        dn: account.dn.string, state: state.stored,
                        reason: Reason(rule: "mfa-enrollment", text: "unlocked by IT: the enrollment window "
                                           + "starts again today")))
        var reopened = account
        reopened.state = state
        planExisting(person, decision: decision, account: reopened, work: &work)
    }
}

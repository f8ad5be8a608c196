import Foundation

/// `idsync reinstate`: lifts an on-demand termination an operator made by mistake.
///
/// For an ordinary account it takes the termination fact off and nothing else: the next
/// sync then plans the person from HR like any leaver idsync disabled, so an active person
/// is re-enabled through the rehire path (groups recomputed from the role rules, MFA
/// enrollment flagged anew), and one HR shows terminated stays disabled. Re-enabling at
/// once would need the HR feed, which reinstate, like terminate, does not read.
/// A protected account is never planned by a sync, so its emergency lock is lifted at once.
public struct Reinstatement: Sendable {
    public let found: FoundAccount
    public let protectedReason: String?
    /// Nil when the account carries no on-demand termination: nothing to do.
    public let change: Change?
    public let directory: ObservedDirectory

    public init(config: Config, request: TerminationRequest, found: FoundAccount) throws {
        let directory = TerminationSteps.view(of: found, config: config)
        let work = PlanningState(config: config, directory: directory)
        let account = found.account
        let protected = work.protectedReason(account)
        if let protected, !request.emergencyProtected {
            throw TerminationRefusal(
                "\(account.dn.string) is a protected account (\(protected)); reinstate "
                    + "refuses it, and nothing was changed. To lift an emergency lock of it, "
                    + "run the command again with --emergency-protected")
        }
        self.found = found
        self.protectedReason = protected
        self.directory = directory
        self.change = Reinstatement.change(
            account, request: request, protected: protected != nil, config: config)
    }

    private static func change(
        _ account: ObservedAccount, request: TerminationRequest, protected: Bool,
        config: Config
    ) -> Change? {
        guard var state = account.state, let terminated = state.terminatedOn else { return nil }
        state.clearTermination()
        var fields = [
            FieldEvidence(field: "reason", value: request.reason),
            FieldEvidence(field: "terminated_on_demand", value: "\(terminated)"),
        ]
        if let ticket = request.ticket {
            fields.append(FieldEvidence(field: "ticket", value: ticket))
        }
        let unlock = protected && account.lock == .administrative && state.disabledBy != nil
        if unlock {
            state.disabledBy = nil
            state.disabledOn = nil
            state.revocationPending = false
        }
        let text =
            unlock
            ? "an operator lifts the emergency lock of a protected account"
            : "an operator lifts the on-demand termination; the next sync plans the person from HR"
        return Change(
            kind: unlock ? .enable : .setAttributes, category: .rehire,
            employeeID: account.employeeID,
            login: account.login, dn: account.dn.string, state: state.stored,
            reason: Reason(rule: "reinstate", text: text, fields: fields))
    }

    /// What happens next, for the operator.
    public var outlook: String {
        guard let change else {
            return
                "\(found.account.dn.string) carries no on-demand termination: nothing to reinstate"
        }
        if change.kind == .enable {
            return "the emergency lock is lifted: the account can bind again"
        }
        guard found.account.state?.disabledBy != nil else {
            return "the termination fact is gone, but the account was disabled outside idsync "
                + "before it: idsync does not re-enable it; whoever disabled it must"
        }
        return "the termination fact is gone; the next 'idsync sync' re-enables the account "
            + "through the rehire path if HR shows the person active (groups from the role rules, "
            + "MFA enrollment anew), and keeps it disabled if HR shows a termination"
    }
}

import Foundation

/// The MFA side of one termination: what each configured connector holds for the person,
/// and one step per connector that revokes it and ends the sessions. The connectors do not
/// depend on each other or on the directory, so each step runs on a thread of its own.
public struct TerminationMFA {
    private let connectors: [ConnectorBox]
    public let subject: MFASubject

    public init(connectors: [MFAConnector], account: ObservedAccount) {
        self.connectors = connectors.map(ConnectorBox.init)
        self.subject = MFASubject(
            employeeID: account.employeeID ?? "", login: account.login, dn: account.dn.string,
            mail: account.attributes["mail"]?.first)
    }

    public var isEmpty: Bool { connectors.isEmpty }
    public var names: [String] { connectors.map(\.connector.traits.name) }

    /// One line per connector for the confirmation: its authenticators, asked of all at once.
    public func describe() -> [String] {
        let subject = self.subject
        let answers = connectors.map { box in StepThread { [box.line(subject)] } }
        return answers.flatMap { $0.value() }.map(\.target)
    }

    /// The steps, one per connector, with the termination's reason on their audit records.
    public func steps(reason: Reason) -> [IndependentStep] {
        let subject = self.subject
        return connectors.map { box in
            IndependentStep(name: box.connector.traits.name) { audit in
                box.revoke(subject, reason: reason, audit: audit)
            }
        }
    }
}

/// A connector and its calls. A connector's client is used from one thread at a time: each
/// box is called by one step, and the description is over before the steps start.
final class ConnectorBox: @unchecked Sendable {
    let connector: MFAConnector

    init(_ connector: MFAConnector) { self.connector = connector }

    var name: String { connector.traits.name }

    func line(_ subject: MFASubject) -> StepOutcome {
        let text: String
        switch connector.observe([subject])[subject] {
        case .success(let user) where !user.exists: text = "\(name): no such user"
        case .success(let user):
            text =
                "\(name): "
                + (user.authenticators.isEmpty
                    ? "none"
                    : user.authenticators.map(\.label)
                        .joined(separator: ", "))
        case .failure(let failure): text = "\(name): could not be listed (\(failure.message))"
        case nil: text = "\(name): could not be listed"
        }
        return StepOutcome(step: "", target: text, result: .done, seconds: 0)
    }

    /// Lists the user's authenticators again, revokes (or deletes, by the connector's policy)
    /// every one not revoked yet, then ends the sessions where the connector can.
    func revoke(_ subject: MFASubject, reason: Reason, audit: SerialAudit) -> [StepOutcome] {
        let delete = connector.traits.leaverPolicy == .delete
        let action = delete ? "delete-authenticators" : "revoke-authenticators"
        var outcomes = [
            authenticators(subject, action: action, delete: delete, reason: reason, audit: audit)
        ]
        if connector.traits.revokesSessions {
            outcomes.append(sessions(subject, reason: reason, audit: audit))
        }
        return outcomes
    }

    private func authenticators(
        _ subject: MFASubject, action: String, delete: Bool, reason: Reason,
        audit: SerialAudit
    ) -> StepOutcome {
        let started = Date()
        attempt(action, subject, audit)
        let before: [Authenticator]
        switch connector.observe([subject])[subject]
            ?? .failure(MFAFailure(connector: name, message: "no answer"))
        {
        case .failure(let failure):
            return finish(
                action, subject, reason, before: [], after: nil, failure: failure, started, audit)
        case .success(let user):
            before = user.exists ? user.authenticators : []
        }
        let left = before.filter { delete || !$0.revoked }
        guard !left.isEmpty else {
            return finish(
                action, subject, reason, before: before, after: nil, failure: nil, started, audit,
                done: "nothing left to revoke")
        }
        do {
            let after = try connector.perform(.revokeAuthenticators(delete: delete), for: subject)
            return finish(
                action, subject, reason, before: before, after: after ?? [], failure: nil, started,
                audit)
        } catch {
            return finish(
                action, subject, reason, before: before, after: nil, failure: error, started, audit)
        }
    }

    private func sessions(_ subject: MFASubject, reason: Reason, audit: SerialAudit) -> StepOutcome
    {
        let started = Date()
        attempt("revoke-sessions", subject, audit)
        do {
            _ = try connector.perform(.revokeSessions, for: subject)
            return finish(
                "revoke-sessions", subject, reason, before: [], after: [], failure: nil, started,
                audit)
        } catch {
            return finish(
                "revoke-sessions", subject, reason, before: [], after: nil, failure: error, started,
                audit)
        }
    }

    private func attempt(_ action: String, _ subject: MFASubject, _ audit: SerialAudit) {
        audit.append { entry in
            entry.event = "attempt"
            entry.action = action
            entry.employeeID = subject.employeeID
            entry.dn = subject.dn
            entry.target = name
        }
    }

    /// The result record and the receipt line of one call. `done` marks a step an earlier run did.
    private func finish(
        _ action: String, _ subject: MFASubject, _ reason: Reason, before: [Authenticator],
        after: [Authenticator]?, failure: MFAFailure?, _ started: Date, _ audit: SerialAudit,
        done: String? = nil
    ) -> StepOutcome {
        audit.append { entry in
            entry.action = action
            entry.employeeID = subject.employeeID
            entry.dn = subject.dn
            entry.target = name
            entry.before = ["authenticators": before.map(\.label)]
            entry.after = after.map { ["authenticators": $0.map(\.label)] }
            entry.reason = "\(reason.rule): \(reason.text)"
            entry.result = failure == nil ? (done == nil ? "ok" : "skipped") : "error"
            entry.error = failure.map { DirectoryFailure(code: -1, message: $0.description) }
            entry.detail = done
        }
        let seconds = Date().timeIntervalSince(started)
        if let failure {
            return StepOutcome(
                step: action, target: name, result: .failed(failure.message), seconds: seconds)
        }
        if let done {
            return StepOutcome(
                step: action, target: name, result: .alreadyDone, seconds: seconds, detail: done)
        }
        let count =
            action == "delete-authenticators" ? before.count : before.filter { !$0.revoked }.count
        return StepOutcome(
            step: action, target: name, result: .done, seconds: seconds,
            detail: action == "revoke-sessions"
                ? nil
                : "\(count) of \(before.count) "
                    + (action == "delete-authenticators" ? "deleted" : "revoked"))
    }
}

import Foundation

extension Executor {
    /// MFA changes go one by one to the connector named in their target. A failure marks
    /// the person, so that their revocation is not recorded complete this run.
    func applyMFA(_ changes: [Change]) throws {
        for change in changes {
            guard let name = change.target, let connector = mfa[name] else {
                try failMFA(change, "no MFA connector named '\(change.target ?? "")' is configured")
                continue
            }
            guard change.mfaAction != nil || change.kind == .resetMFAFailCounters else { continue }
            // As for directory writes: the attempt is on the disk before the request goes.
            try recordAttempts([change])
            sent += 1
            let result = Result { () throws(MFAFailure) in try carryOut(change, on: connector) }
            switch result {
            case .success(let after): try record(change.withAuthenticators(after: after), failure: nil, skipped: nil)
            case .failure(let failure): try failMFA(change, failure.description)
            }
        }
    }

    private func carryOut(_ change: Change, on connector: MFAConnector) throws(MFAFailure) -> [Authenticator]? {
        guard let action = change.mfaAction else {
            return try connector.resetFailCounters(for: change.mfaSubject)
        }
        return try connector.perform(action, for: change.mfaSubject)
    }

    private func failMFA(_ change: Change, _ message: String) throws {
        if let id = change.employeeID { mfaFailedPeople.insert(id) }
        try record(change, failure: DirectoryFailure(code: -1, message: message), skipped: nil)
    }
}

extension ChangeKind {
    /// A change carried out by an MFA connector rather than the directory.
    public var isMFAAction: Bool {
        self == .revokeAuthenticators || self == .deleteAuthenticators || self == .revokeSessions
            || self == .ensureMFAUser || self == .unassignAuthenticators || self == .resetMFAFailCounters
    }
}

extension Change {
    var mfaAction: MFAAction? {
        switch kind {
        case .revokeAuthenticators: return .revokeAuthenticators(delete: false)
        case .deleteAuthenticators: return .revokeAuthenticators(delete: true)
        case .unassignAuthenticators: return .unassignAuthenticators
        case .revokeSessions: return .revokeSessions
        case .ensureMFAUser:
            let value = { (name: String) in
                attributes.first { $0.name.lowercased() == name }?.after.first ?? ""
            }
            return .ensureUser(givenName: value("givenname"), surname: value("sn"))
        default: return nil
        }
    }

    var mfaSubject: MFASubject {
        let mail = attributes.first { $0.name.lowercased() == "mail" }?.after.first
        return MFASubject(employeeID: employeeID ?? "", login: login ?? "", dn: dn, mail: mail)
    }

    /// The change as the audit log keeps it: the authenticators the connector reported
    /// afterwards, where it reported them, instead of those the plan expected.
    func withAuthenticators(after: [Authenticator]?) -> Change {
        guard let after else { return self }
        let before = attributes.first { $0.name == "authenticators" }?.before ?? []
        let edits = [AttributeEdit(name: "authenticators", before: before, after: after.map(\.label))]
        return Change(kind: kind, category: category, employeeID: employeeID, login: login, dn: dn, target: target,
                      attributes: edits, state: state, reason: reason)
    }
}

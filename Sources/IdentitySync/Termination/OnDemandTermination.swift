import Foundation

/// How an operator names the person to terminate or reinstate: the employee id, or the login.
public enum AccountKey: Sendable, Equatable, CustomStringConvertible {
    case employeeID(String)
    case login(String)

    public var value: String {
        switch self {
        case .employeeID(let id): return id
        case .login(let login): return login
        }
    }

    public var description: String {
        switch self {
        case .employeeID(let id): return "employee id '\(TextReport.visible(id))'"
        case .login(let login): return "login '\(TextReport.visible(login))'"
        }
    }

    /// Why no account can have this key, or nil. Employee ids and logins idsync manages
    /// never hold a control character (the feed quarantines them) nor are empty, so such a
    /// key is refused before the directory is asked anything.
    public var problem: String? {
        guard !value.isEmpty else { return "the key is empty" }
        if value.unicodeScalars.contains(where: {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value)
        }) {
            return
                "the key holds a control character, which no employee id or login idsync "
                    + "manages has"
        }
        return nil
    }
}

/// One operator's request: who, why, under which ticket, and whether a protected account
/// may be locked as an emergency.
public struct TerminationRequest: Sendable {
    public var key: AccountKey
    public var reason: String
    public var ticket: String?
    public var emergencyProtected: Bool
    /// The run's instant; the termination fact records its date in the site's zone.
    public var instant: Date
    /// The audit run id, referenced from the account when there is no ticket.
    public var run: String

    public init(
        key: AccountKey, reason: String, ticket: String?, emergencyProtected: Bool,
        instant: Date, run: String
    ) {
        self.key = key
        self.reason = reason
        self.ticket = ticket
        self.emergencyProtected = emergencyProtected
        self.instant = instant
        self.run = run
    }

    /// What the account keeps as the reason's reference: the ticket, or the audit run id.
    /// Only characters a ticket number uses, so the stored state stays `key=value;…`; the
    /// reason itself (free text, maybe personal) is kept in the audit log only.
    public var reference: String {
        guard let ticket, !ticket.isEmpty else { return "run:\(run)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/#-")
        return String(String(ticket.map { allowed.contains($0) ? $0 : "_" }).prefix(64))
    }
}

/// One account the lookup found, with what the operator is shown before confirming.
public struct FoundAccount: Sendable {
    public var account: ObservedAccount
    /// Every group, anywhere in the naming context, whose `member` lists the account.
    public var groups: [DistinguishedName]
    /// True when the entry lies under `directory.people`, the subtree idsync manages.
    public var isManagedSubtree: Bool
    /// The person's name, title and manager's name as the directory holds them.
    public var name: String?
    public var title: String?
    public var manager: String?

    public init(
        account: ObservedAccount, groups: [DistinguishedName], isManagedSubtree: Bool,
        name: String?, title: String?, manager: String?
    ) {
        self.account = account
        self.groups = groups
        self.isManagedSubtree = isManagedSubtree
        self.name = name
        self.title = title
        self.manager = manager
    }
}

/// The directory side of `terminate` and `reinstate`: finding one account by exact,
/// escaped equality and reading it again. A directory connector that supports them.
public protocol AccountLookup: DirectoryConnector {
    /// Every entry whose key attribute (the employee id attribute, or the login attribute)
    /// equals the value under the directory's equality rule. The value is escaped for the
    /// filter, so `*` or `a*)(uid=*` match only an entry holding exactly that text.
    func findAccounts(_ key: AccountKey) throws -> [FoundAccount]

    /// The entry at `dn` read again, with its groups; nil when it is gone.
    func reread(_ dn: DistinguishedName) throws -> FoundAccount?
}

/// Why a lookup found nothing to act on, or too much: said to the operator, nothing written.
public struct LookupRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension AccountLookup {
    /// Exactly one account for the key, or a refusal naming what was found.
    public func findOne(_ key: AccountKey) throws -> FoundAccount {
        if let problem = key.problem {
            throw LookupRefusal("no account has the \(key): \(problem); nobody was changed")
        }
        let found = try findAccounts(key)
        guard found.count == 1 else {
            guard !found.isEmpty else {
                throw LookupRefusal("no account has exactly the \(key); nobody was changed")
            }
            let names = found.map { "  \($0.account.dn.string)" }.joined(separator: "\n")
            throw LookupRefusal(
                "\(found.count) accounts have the \(key), so which one is meant is not clear; "
                    + "nobody was changed. Found:\n\(names)\n"
                    + "Name one by --login, or fix the duplicate"
            )
        }
        return found[0]
    }
}

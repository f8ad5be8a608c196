import Foundation
import IdentitySync
import LDAP

/// Finding one account for `idsync terminate` and `reinstate`, and the executor's re-read.
/// Every value from an operator goes into a filter through `LDAPFilter.equality`, escaped.
extension OpenLDAPDirectory: AccountLookup {
    public func findAccounts(_ key: AccountKey) throws -> [FoundAccount] {
        let attribute: String
        switch key {
        case .employeeID: attribute = "employeeNumber"
        case .login: attribute = loginAttribute
        }
        // Groups carry no employee id or login; a group named like a login is not a person.
        let filter = "(&\(LDAPFilter.equality(attribute, key.value))(!(objectClass=groupOfNames)))"
        var entries: [LDAPEntry] = []
        try reading {
            try connection.search(
                base: config.base.string, scope: .subtree, filter: filter,
                attributes: lookupAttributes, pageSize: config.pageSize
            ) { entries.append($0) }
        }
        // The server's equality also matches a subtype (employeeNumber;lang-en) on someone
        // else's entry: keep the entries whose attribute itself holds the value.
        return try entries.filter { entry in
            entry.values(attribute).contains { OpenLDAPDirectory.directoryEqual($0, key.value) }
        }.map(found)
    }

    /// Equal as the directory's caseIgnoreMatch compares (RFC 4518, in short): compatibility
    /// forms folded, case ignored, spaces at the ends dropped and inner runs made one.
    static func directoryEqual(_ one: String, _ other: String) -> Bool {
        let prepared = { (text: String) in
            text.precomposedStringWithCompatibilityMapping.lowercased()
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        return prepared(one) == prepared(other)
    }

    public func reread(_ dn: DistinguishedName) throws -> FoundAccount? {
        var entry: LDAPEntry?
        try reading { entry = try connection.read(dn: dn.string, attributes: lookupAttributes) }
        return try entry.map(found)
    }

    public func currentState(of dn: String) throws -> AccountState? {
        var entry: LDAPEntry?
        try reading { entry = try connection.read(dn: dn, attributes: [config.stateAttribute]) }
        return entry?.first(config.stateAttribute).flatMap(AccountState.init(stored:))
    }

    // MARK: Reading one account

    var loginAttribute: String { mappedAttributes.last ?? "uid" }

    private var lookupAttributes: [String] {
        requestedAttributes.filter { $0 != "member" } + ["cn", "displayname", "title", "manager"]
    }

    private func found(_ entry: LDAPEntry) throws -> FoundAccount {
        let dn = try DistinguishedName(parsing: entry.dn)
        if let policy = entry.first("pwdpolicysubentry") { policies.insert(policy) }
        let lock: AccountLock
        switch entry.first(OpenLDAPDirectory.lockAttribute) {
        case nil: lock = .none
        case OpenLDAPDirectory.permanentLock: lock = .administrative
        case let other?: lock = .other(other)
        }
        let login = entry.first(loginAttribute) ?? dn.rdns.first?.first?.value ?? entry.dn
        var account = ObservedAccount(
            dn: dn, login: login, employeeID: entry.first("employeenumber"),
            attributes: AttributeMap(entry.attributes), lock: lock,
            state: entry.first(config.stateAttribute).flatMap(AccountState.init(stored:)))
        account.credentials = try credentialsHeld(by: dn)
        return FoundAccount(
            account: account, groups: try groups(listing: dn),
            isManagedSubtree: dn.isDescendant(of: config.people),
            name: entry.first("displayname") ?? entry.first("cn"), title: entry.first("title"),
            manager: try managerName(entry.first("manager")))
    }

    /// Every group whose member lists `dn`, read without their members: a group of the
    /// whole staff would otherwise send every DN it holds. The filter matches a value held
    /// under an option too (`member;lang-de`); the names alone (typesOnly) tell which groups
    /// hold one, and only those are read whole, for the removal to name where it is.
    private func groups(listing dn: DistinguishedName) throws -> [DistinguishedName] {
        let filter = "(&(objectClass=groupOfNames)\(LDAPFilter.equality("member", dn.string)))"
        var groups: [DistinguishedName] = []
        var withOptions: [DistinguishedName] = []
        try reading {
            try connection.search(
                base: config.base.string, scope: .subtree, filter: filter,
                attributes: ["member"], pageSize: config.pageSize, typesOnly: true
            ) { entry in
                guard let group = try? DistinguishedName(parsing: entry.dn) else { return }
                groups.append(group)
                if entry.names.contains(where: { $0.hasPrefix("member;") }) {
                    withOptions.append(group)
                }
            }
            for group in withOptions { try noteTaggedMembers(of: group) }
        }
        return groups.sorted { $0.normalized < $1.normalized }
    }

    /// The configured credential attributes the entry holds, as the nightly observe reads
    /// them: names only (typesOnly), so no password hash crosses the wire.
    private func credentialsHeld(by dn: DistinguishedName) throws -> [String] {
        let names = credentials.names
        guard !names.isEmpty else { return [] }
        var held: [String] = []
        let filter = "(|" + names.map { "(\($0)=*)" }.joined() + ")"
        try reading {
            try connection.search(
                base: dn.string, scope: .base, filter: filter, attributes: names,
                pageSize: config.pageSize, typesOnly: true
            ) { entry in
                held = entry.names.filter { credentials.configured($0) != nil }.sorted()
            }
        }
        return held
    }

    /// The manager's name and DN for the confirmation, or the DN alone when it cannot be read.
    private func managerName(_ dn: String?) throws -> String? {
        guard let dn else { return nil }
        let entry = try? connection.read(dn: dn, attributes: ["cn", "displayName"])
        guard let name = entry?.first("displayname") ?? entry?.first("cn") else { return dn }
        return "\(name) (\(dn))"
    }

    /// Runs a read; an LDAP failure names the identity and the directory.
    private func reading(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as LDAPError {
            throw DirectoryReadError(identity: config.bindDN, url: config.url, error: error)
        }
    }
}

/// A read of one account or its groups failed.
public struct DirectoryReadError: Error, CustomStringConvertible {
    public let identity: String
    public let url: String
    public let error: LDAPError

    public var description: String {
        "reading the directory \(url) as \(identity) failed: \(error)"
    }
}

import Foundation
import IdentitySync
import LDAP

/// Sorts the entries of one observe search into accounts, watched groups and names in use.
struct ObservationBuilder {
    let config: DirectoryConfig
    let watchedGroups: Set<DistinguishedName>
    let kept: Set<String>
    let keptInOrder: [String]
    let loginAttribute: String
    var accounts: [ObservedAccount] = []
    var groups: [DistinguishedName: ObservedGroup] = [:]
    /// The uid and mail values of entries that are not accounts (see `add`).
    var taken: Set<String> = []
    /// True when the kept attributes include uid and mail, so that accounts hold theirs.
    let accountsKeepNames: Bool
    var policies: Set<String> = []
    var fingerprint = Fingerprint()
    /// The attributes of the last account, whose arrays of names and value counts the next
    /// one of that shape shares.
    var lastAttributes: AttributeMap?
    /// Values that thousands of entries share (titles, departments, managers, states).
    var pool = StringPool()
    var states: [String: SharedAccountState?] = [:]
    /// The credential attributes each entry holds, by DN as the server sent it.
    var credentials: [String: [String]] = [:]
    /// For each name of `keptInOrder`: whether its values repeat across people (everything
    /// but the values unique to a person), and so go through the pool.
    let repetitive: [Bool]
    /// The pooled values of each repetitive attribute of the last account, by position in
    /// `keptInOrder`: neighbours often have the same ones (object classes, state, policy), and
    /// an equal list costs one compare instead of a pool lookup per value.
    var lastPooled: [[String]]

    init(directory: OpenLDAPDirectory) {
        self.config = directory.config
        self.watchedGroups = directory.watchedGroups
        self.loginAttribute = directory.mappedAttributes.last ?? "uid"
        var kept = Set(directory.mappedAttributes)
        kept.formUnion(["objectclass", "employeenumber"])
        if let protected = directory.protectedAttribute { kept.insert(protected) }
        self.kept = kept
        self.accountsKeepNames = kept.isSuperset(of: ["uid", "mail"])
        self.keptInOrder = kept.sorted()
        let unique: Set<String> = ["cn", "sn", "givenname", "displayname", "mail", "uid",
                                   "employeenumber"]
        self.repetitive = keptInOrder.map { !unique.contains($0) }
        self.lastPooled = Array(repeating: [], count: keptInOrder.count)
    }

    mutating func add(_ entry: LDAPEntry) throws {
        fingerprint.add(entry)
        // Through the pool: a plain lower-case DN is then one string with its memberships.
        let dn = try DistinguishedName(parsing: pool.intern(entry.dn))
        let isGroup = entry.values("objectclass").contains { $0.utf8.count == 12 && $0.lowercased() == "groupofnames" }
        if isGroup {
            noteNamesInUse(entry)
            guard watchedGroups.contains(dn) else { return }
            // A person is in several groups: one string serves all their memberships.
            let members = entry.values("member").compactMap { try? pool.intern(DistinguishedName.normalize($0)) }
            groups[dn] = ObservedGroup(dn: dn, members: Set(members))
            return
        }
        guard dn.isDescendant(of: config.people), let login = entry.first(loginAttribute) else {
            noteNamesInUse(entry)
            return
        }
        // An account keeps its uid and mail values where both are kept attributes; the names
        // in use are then made from the accounts if a joiner needs a login (`NamesInUse`).
        if !accountsKeepNames { noteNamesInUse(entry) }
        accounts.append(account(entry, dn: dn, login: login))
    }

    /// Adds the entry's uid and mail values to the names in use outside the accounts.
    private mutating func noteNamesInUse(_ entry: LDAPEntry) {
        for name in ["uid", "mail"] {
            for value in entry.values(name) {
                taken.insert(NamesInUse.lowered(value))
            }
        }
    }

    private mutating func account(_ entry: LDAPEntry, dn: DistinguishedName, login: String) -> ObservedAccount {
        if let policy = entry.first("pwdpolicysubentry") { policies.insert(policy) }
        let lock: AccountLock
        switch entry.first(OpenLDAPDirectory.lockAttribute) {
        case nil: lock = .none
        case OpenLDAPDirectory.permanentLock: lock = .administrative
        case let other?: lock = .other(other)
        }
        // The kept names in sorted order, looked up one by one: no dictionary of the entry's own.
        var names: [String] = []
        var lists: [[String]] = []
        names.reserveCapacity(keptInOrder.count)
        lists.reserveCapacity(keptInOrder.count)
        for (position, name) in keptInOrder.enumerated() {
            guard let list = entry.valuesIfPresent(name) else { continue }
            names.append(name)
            lists.append(repetitive[position] ? pooled(list, position: position) : list)
        }
        let attributes = AttributeMap(names: names, lists: lists, like: lastAttributes)
        let state = entry.first(config.stateAttribute).flatMap { self.state(stored: $0) }
        lastAttributes = attributes
        var account = ObservedAccount(dn: dn, login: login, employeeID: entry.first("employeenumber"),
                                      attributes: attributes, lock: lock, state: nil)
        account.sharedState = state
        if !credentials.isEmpty { account.credentials = credentials[entry.dn] ?? [] }
        return account
    }

    /// The list with each value the pool's copy: the last account's list where equal.
    private mutating func pooled(_ list: [String], position: Int) -> [String] {
        if list == lastPooled[position] { return lastPooled[position] }
        let shared = list.map { pool.intern($0) }
        lastPooled[position] = shared
        return shared
    }

    /// Most accounts carry one of a few state strings; each is parsed once, and the
    /// accounts that carry it share the result.
    private mutating func state(stored: String) -> SharedAccountState? {
        if let known = states[stored] { return known }
        let parsed = AccountState(stored: stored).map(SharedAccountState.init)
        states[stored] = parsed
        return parsed
    }

    func finish() -> ObservedDirectory {
        ObservedDirectory(accounts: accounts, groups: groups,
                          namesInUse: NamesInUse(elsewhere: taken, accounts: accounts),
                          fingerprint: fingerprint.hex)
    }
}

/// FNV-1a over every DN, attribute and value read: entries in the order the server sent
/// them, the attributes of an entry in any order (each is hashed alone and the results
/// added), so that no entry's attribute names need sorting.
/// Not a security hash: it only tells a saved plan whether the directory moved.
struct Fingerprint {
    private static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3
    private var hash = Fingerprint.basis

    mutating func add(_ entry: LDAPEntry) {
        var attributes: UInt64 = 0
        for (name, values) in zip(entry.names, entry.valueLists) {
            var one = Fingerprint.basis
            Fingerprint.mix(name, into: &one)
            for value in values { Fingerprint.mix(value, into: &one) }
            attributes &+= one
        }
        Fingerprint.mix(entry.dn, into: &hash)
        for shift in stride(from: 0, to: 64, by: 8) {
            hash ^= (attributes >> UInt64(shift)) & 0xff
            hash = hash &* Fingerprint.prime
        }
    }

    private static func mix(_ text: String, into hash: inout UInt64) {
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        hash ^= 0xff
        hash = hash &* prime
    }

    var hex: String { String(format: "%016llx", hash) }
}

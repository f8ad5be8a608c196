import Foundation
import IdentitySync
import LDAP

/// Sorts the entries of one observe search into accounts, watched groups and names in use.
///
/// Entries come as the server encoded them (`EncodedEntry`): a value becomes a string only
/// where an account or group keeps it, and a value encoded as the last account's was is taken
/// from that account without a string or a pool lookup. Reading 100,000 accounts made some
/// two million strings and arrays before.
struct ObservationBuilder {
    let config: DirectoryConfig
    let watchedGroups: Set<DistinguishedName>
    let keptInOrder: [String]
    /// For each name of `keptInOrder`: whether its values repeat across people (everything
    /// but the values unique to a person), and so go through the pool.
    let repetitive: [Bool]
    var roles: AttributeRoles
    var accounts: [ObservedAccount] = []
    var groups: [DistinguishedName: ObservedGroup] = [:]
    /// The uid and mail values of entries that are not accounts (see `add`).
    var taken: Set<String> = []
    /// True when the kept attributes include uid and mail, so that accounts hold theirs.
    let accountsKeepNames: Bool
    var policies: Set<String> = []
    var fingerprint = Fingerprint()
    /// Values that thousands of entries share (titles, departments, managers, states).
    var pool = StringPool()
    var states: [String: SharedAccountState?] = [:]
    /// The credential attributes each entry holds, by DN as the server sent it.
    var credentials: [String: [String]] = [:]
    /// What the last account had, for the next one to share where equal: its attributes
    /// (the arrays of names and value counts), the encoding and pooled values of each
    /// repetitive attribute by position in `keptInOrder`, its policy and its state.
    var last = LastAccount()
    /// Scratch space kept from one entry to the next: the role of each attribute of the
    /// entry, and where each kept attribute is in it.
    var entryRoles: [AttributeRole] = []
    var slots: [Int]
    /// Entries under the people subtree with an employee id and no login (`noteLoginless`).
    var loginless: [LoginlessEntry] = []
    /// Entries outside the people subtree with idsync's state or an employee id.
    var outsidePeople: [OutsideEntry] = []
    /// Watched groups' members held under an option, and where (`TaggedMembers`).
    var taggedMembers = TaggedMembers()

    init(directory: OpenLDAPDirectory) {
        self.config = directory.config
        self.watchedGroups = directory.watchedGroups
        var kept = Set(directory.mappedAttributes)
        kept.formUnion(["objectclass", "employeenumber"])
        if let protected = directory.protectedAttribute { kept.insert(protected) }
        self.accountsKeepNames = kept.isSuperset(of: ["uid", "mail"])
        self.keptInOrder = kept.sorted()
        let unique: Set<String> = ["cn", "sn", "givenname", "displayname", "mail", "uid",
                                   "employeenumber"]
        self.repetitive = keptInOrder.map { !unique.contains($0) }
        self.roles = AttributeRoles(kept: keptInOrder,
                                    login: directory.mappedAttributes.last ?? "uid",
                                    state: directory.config.stateAttribute)
        self.slots = Array(repeating: -1, count: keptInOrder.count)
        self.last.encoded = Array(repeating: nil, count: keptInOrder.count)
        self.last.pooled = Array(repeating: [], count: keptInOrder.count)
    }

    mutating func add(_ entry: EncodedEntry) throws {
        var attributes: UInt64 = 0
        entryRoles.removeAll(keepingCapacity: true)
        for (position, attribute) in entry.attributes.enumerated() {
            let role = roles.role(of: attribute.name, at: position)
            entryRoles.append(role)
            attributes &+= Fingerprint.hash(attribute, name: role.lowered)
        }
        let text = String(decoding: entry.dn, as: UTF8.self)
        fingerprint.add(dn: text, attributes: attributes)

        // Through the pool: a plain lower-case DN is then one string with its memberships.
        let dn = try DistinguishedName(parsing: pool.intern(text))
        if isGroup(entry) {
            noteNamesInUse(entry)
            guard watchedGroups.contains(dn) else { return }
            var group = ObservedGroup(dn: dn, members: Set(members(values(of: .member, in: entry))))
            if entryRoles.contains(where: { $0.kind == .taggedMember }) {
                noteTaggedMembers(entry, in: &group)
            }
            groups[dn] = group
            return
        }
        guard dn.isDescendant(of: config.people) else {
            noteNamesInUse(entry)
            noteOutsidePeople(entry, text: text)
            return
        }
        guard let account = account(entry, dn: dn, text: text) else {
            noteNamesInUse(entry)
            return
        }
        // An account keeps its uid and mail values where both are kept attributes; the names
        // in use are then made from the accounts if a joiner needs a login (`NamesInUse`).
        if !accountsKeepNames { noteNamesInUse(entry) }
        accounts.append(account)
    }

    /// The member DNs normalized. A person is in several groups: one string serves all
    /// their memberships.
    private mutating func members<Values: Sequence<UnsafeRawBufferPointer>>(
        _ values: Values
    ) -> [String] {
        values.compactMap {
            try? pool.intern(DistinguishedName.normalize(String(decoding: $0, as: UTF8.self)))
        }
    }

    /// Values held under an option (`member;lang-de`) are members as the filter (member=DN)
    /// sees them; where each is held is kept for its removal (`TaggedMembers`).
    private mutating func noteTaggedMembers(_ entry: EncodedEntry, in group: inout ObservedGroup) {
        var tagged: [(description: String, members: [String])] = []
        for (role, attribute) in zip(entryRoles, entry.attributes)
        where role.kind == .taggedMember {
            let description = String(decoding: role.lowered, as: UTF8.self)
            tagged.append((description, members(attribute.values)))
        }
        taggedMembers.note(group: group.dn.normalized, plain: group.members, tagged: tagged)
        for (_, members) in tagged { group.members.formUnion(members) }
    }

    private func isGroup(_ entry: EncodedEntry) -> Bool {
        for (role, attribute) in zip(entryRoles, entry.attributes) where role.kind == .objectClass {
            let named = attribute.values.contains {
                AttributeRoles.equalsIgnoringCase($0, "groupofnames")
            }
            if named { return true }
        }
        return false
    }

    /// The values of every attribute of the entry with this role, in the order sent.
    private func values(of kind: AttributeRole.Kind,
                        in entry: EncodedEntry) -> [UnsafeRawBufferPointer] {
        var found: [UnsafeRawBufferPointer] = []
        for (role, attribute) in zip(entryRoles, entry.attributes) where role.kind == kind {
            found.append(contentsOf: attribute.values)
        }
        return found
    }

    /// The first value of the first attribute with this role, as sent.
    private func first(_ kind: AttributeRole.Kind,
                       in entry: EncodedEntry) -> UnsafeRawBufferPointer? {
        for (role, attribute) in zip(entryRoles, entry.attributes) where role.kind == kind {
            if let value = attribute.first { return value }
        }
        return nil
    }

    /// Adds the entry's uid and mail values to the names in use outside the accounts.
    private mutating func noteNamesInUse(_ entry: EncodedEntry) {
        for value in values(of: .uid, in: entry) + values(of: .mail, in: entry) {
            taken.insert(NamesInUse.lowered(String(decoding: value, as: UTF8.self)))
        }
    }

    /// The account the entry holds; nil when it has no login value (then it is no account).
    private mutating func account(_ entry: EncodedEntry, dn: DistinguishedName,
                                  text: String) -> ObservedAccount? {
        // Where each kept attribute is in the entry, in the sorted order the map keeps.
        for index in slots.indices { slots[index] = -1 }
        var repeated: [(position: Int, attribute: Int)] = []
        for (index, role) in entryRoles.enumerated() {
            guard let position = role.kept else { continue }
            if slots[position] < 0 {
                slots[position] = index
            } else {
                repeated.append((position, index))
            }
        }
        guard let loginSlot = roles.login.map({ slots[$0] }), loginSlot >= 0,
              entry.attributes[loginSlot].first != nil else {
            noteLoginless(entry, text: text)
            return nil
        }

        var names: [String] = []
        var values: [String] = []
        var ends: [UInt16] = []
        names.reserveCapacity(keptInOrder.count)
        values.reserveCapacity(keptInOrder.count + 4)
        ends.reserveCapacity(keptInOrder.count)
        var login = ""
        var employeeID: String?
        for position in keptInOrder.indices where slots[position] >= 0 {
            let start = values.count
            let attribute = entry.attributes[slots[position]]
            if repetitive[position] {
                values += pooled(attribute, position: position)
            } else {
                for value in attribute.values {
                    values.append(String(decoding: value, as: UTF8.self))
                }
            }
            // The server sends each attribute once; take a second one too rather than lose it.
            for extra in repeated where extra.position == position {
                for value in entry.attributes[extra.attribute].values {
                    values.append(pool.intern(String(decoding: value, as: UTF8.self)))
                }
            }
            if position == roles.login { login = values[start] }
            if position == roles.employeeNumber, values.count > start { employeeID = values[start] }
            names.append(keptInOrder[position])
            ends.append(UInt16(clamping: values.count))
        }
        let attributes = AttributeMap(names: names, values: values, ends: ends,
                                      like: last.attributes)
        last.attributes = attributes

        var account = ObservedAccount(dn: dn, login: login, employeeID: employeeID,
                                      attributes: attributes, lock: lock(first(.lock, in: entry)),
                                      state: nil)
        account.sharedState = state(first(.state, in: entry))
        notePolicy(first(.policy, in: entry))
        if !credentials.isEmpty { account.credentials = credentials[text] ?? [] }
        return account
    }

    /// An entry without a login but with an employee id is no account idsync can manage or
    /// disable; it is kept for the plan to name. Only entries without a login come here.
    private mutating func noteLoginless(_ entry: EncodedEntry, text: String) {
        guard let position = roles.employeeNumber, slots[position] >= 0,
              let value = entry.attributes[slots[position]].first else { return }
        let employeeID = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !employeeID.isEmpty else { return }

        loginless.append(LoginlessEntry(dn: text, employeeID: employeeID))
    }

    /// An entry outside the people subtree is no account, but one that carries idsync's state
    /// or an employee id may be an account moved out by hand: it is kept for the plan to
    /// name. Only entries outside the people subtree come here, and most carry neither.
    private mutating func noteOutsidePeople(_ entry: EncodedEntry, text: String) {
        var claimed = false
        var locked = false
        var employeeID: String?
        for (role, attribute) in zip(entryRoles, entry.attributes) {
            if role.kind == .state { claimed = true }
            if role.kind == .lock { locked = attribute.first != nil }
            if let position = role.kept, position == roles.employeeNumber,
               let value = attribute.first {
                employeeID = String(decoding: value, as: UTF8.self)
            }
        }
        guard claimed || employeeID != nil else { return }

        outsidePeople.append(OutsideEntry(dn: text, employeeID: employeeID, claimed: claimed,
                                          locked: locked))
    }

    /// The values with each the pool's copy: the last account's where the encoding is equal.
    private mutating func pooled(_ attribute: EncodedAttribute, position: Int) -> [String] {
        if let previous = last.encoded[position], previous.elementsEqual(attribute.encodedValues) {
            return last.pooled[position]
        }
        let shared = attribute.values.map { pool.intern(String(decoding: $0, as: UTF8.self)) }
        last.encoded[position] = Array(attribute.encodedValues)
        last.pooled[position] = shared
        return shared
    }

    private func lock(_ value: UnsafeRawBufferPointer?) -> AccountLock {
        guard let value else { return .none }
        let text = String(decoding: value, as: UTF8.self)
        return text == OpenLDAPDirectory.permanentLock ? .administrative : .other(text)
    }

    private mutating func notePolicy(_ value: UnsafeRawBufferPointer?) {
        guard let value, last.policy?.elementsEqual(value) != true else { return }
        last.policy = Array(value)
        policies.insert(String(decoding: value, as: UTF8.self))
    }

    /// Most accounts carry one of a few state strings; each is parsed once, and the
    /// accounts that carry it share the result.
    private mutating func state(_ value: UnsafeRawBufferPointer?) -> SharedAccountState? {
        guard let value else { return nil }
        if let (encoded, state) = last.state, encoded.elementsEqual(value) { return state }
        let stored = String(decoding: value, as: UTF8.self)
        let parsed = states[stored] ?? AccountState(stored: stored).map(SharedAccountState.init)
        states[stored] = parsed
        last.state = (Array(value), parsed)
        return parsed
    }

    func finish() -> ObservedDirectory {
        var observed = ObservedDirectory(
            accounts: accounts, groups: groups,
            namesInUse: NamesInUse(elsewhere: taken, accounts: accounts),
            fingerprint: fingerprint.hex)
        observed.loginless = loginless
        observed.outsidePeople = outsidePeople
        return observed
    }
}

/// What the last account read had, for the next one to share (`ObservationBuilder.last`).
struct LastAccount {
    var attributes: AttributeMap?
    var encoded: [[UInt8]?] = []
    var pooled: [[String]] = []
    var policy: [UInt8]?
    var state: (encoded: [UInt8], state: SharedAccountState?)?
}

/// What the builder does with an attribute of one name; worked out once per name.
struct AttributeRole {
    enum Kind { case objectClass, member, taggedMember, uid, mail, policy, lock, state, other }

    /// The name lower-cased, as the fingerprint hashes it.
    let lowered: [UInt8]
    /// The position in the kept names, or nil for an attribute an account does not keep.
    let kept: Int?
    let kind: Kind
}

/// The roles of attribute names, remembered by position in the last entry: the entries of
/// one search mostly send the same names in the same order, so a role is mostly one byte
/// compare away.
struct AttributeRoles {
    let login: Int?
    let employeeNumber: Int?
    private let keptPositions: [String: Int]
    private let stateAttribute: String
    private var known = NamesByPosition<AttributeRole>()

    init(kept: [String], login: String, state: String) {
        keptPositions = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        self.login = keptPositions[login.lowercased()]
        self.employeeNumber = keptPositions["employeenumber"]
        self.stateAttribute = state.lowercased()
    }

    mutating func role(of name: UnsafeRawBufferPointer, at position: Int) -> AttributeRole {
        let decide = self.decide
        return known.value(for: name, at: position) { decide(LDAPEntry.lowered($0)) }
    }

    private func decide(_ name: String) -> AttributeRole {
        let kind: AttributeRole.Kind
        switch name {
        case "objectclass": kind = .objectClass
        case "member": kind = .member
        case "uid": kind = .uid
        case "mail": kind = .mail
        case "pwdpolicysubentry": kind = .policy
        case OpenLDAPDirectory.lockAttribute.lowercased(): kind = .lock
        case stateAttribute: kind = .state
        case _ where name.hasPrefix("member;"): kind = .taggedMember
        default: kind = .other
        }
        return AttributeRole(lowered: Array(name.utf8), kept: keptPositions[name], kind: kind)
    }

    /// True when `bytes` spell `lowered` (ASCII, lower case) in any case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowered: String) -> Bool {
        bytes.count == lowered.utf8.count
            && zip(bytes, lowered.utf8).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
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

    /// One attribute's hash: its lower-cased name, then each value.
    static func hash(_ attribute: EncodedAttribute, name: [UInt8]) -> UInt64 {
        var one = basis
        name.withUnsafeBytes { mix($0, into: &one) }
        for value in attribute.values { mix(value, into: &one) }
        return one
    }

    /// Adds an entry: its DN, then the sum of its attributes' hashes.
    mutating func add(dn: String, attributes: UInt64) {
        var text = dn
        text.withUTF8 { Fingerprint.mix(UnsafeRawBufferPointer($0), into: &hash) }
        for shift in stride(from: 0, to: 64, by: 8) {
            hash ^= (attributes >> UInt64(shift)) & 0xff
            hash = hash &* Fingerprint.prime
        }
    }

    private static func mix(_ bytes: UnsafeRawBufferPointer, into hash: inout UInt64) {
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        hash ^= 0xff
        hash = hash &* prime
    }

    var hex: String { String(format: "%016llx", hash) }
}

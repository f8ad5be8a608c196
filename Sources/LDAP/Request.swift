import CLDAP

/// The kind of change in one modification (RFC 4511 §4.6).
public enum ModifyOperation: Sendable {
    case add, delete, replace

    var rawValue: Int32 {
        switch self {
        case .add: LDAP_MOD_ADD
        case .delete: LDAP_MOD_DELETE
        case .replace: LDAP_MOD_REPLACE
        }
    }
}

/// One change to one attribute. `.delete` with no values removes the whole attribute;
/// `.replace` with no values removes it too (RFC 4511).
public struct Modification: Sendable {
    public let operation: ModifyOperation
    public let attribute: String
    public let values: [String]

    public init(_ operation: ModifyOperation, _ attribute: String, _ values: [String] = []) {
        self.operation = operation
        self.attribute = attribute
        self.values = values
    }
}

/// One write to the directory. Attribute order in `.add` is kept as given on the wire.
public enum LDAPRequest: Sendable {
    case add(dn: String, attributes: [(String, [String])])
    case modify(dn: String, modifications: [Modification])
    /// ModifyDN (RFC 4511 §4.9): new RDN, optional new parent, and whether the old RDN value
    /// leaves the entry.
    case rename(dn: String, newRDN: String, newSuperior: String?, deleteOldRDN: Bool)
    case delete(dn: String)

    /// The operation's name in errors: "add", "modify", "modrdn" or "delete".
    public var operation: String {
        switch self {
        case .add: "add"
        case .modify: "modify"
        case .rename: "modrdn"
        case .delete: "delete"
        }
    }

    public var dn: String {
        switch self {
        case .add(let dn, _), .modify(let dn, _), .rename(let dn, _, _, _), .delete(let dn):
            dn
        }
    }
}

extension CArena {
    /// A NULL-terminated LDAPMod array; every value travels as a berval (LDAP_MOD_BVALUES).
    func modifications(_ items: [(operation: Int32, attribute: String, values: [String])])
        -> UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?> {
        nullTerminated(items.map { modification($0.operation, $0.attribute, $0.values) })
    }

    private func modification(_ operation: Int32, _ attribute: String, _ values: [String])
        -> UnsafeMutablePointer<LDAPMod> {
        var mod = LDAPMod()
        mod.mod_op = operation | LDAP_MOD_BVALUES
        mod.mod_type = string(attribute)
        mod.mod_vals.modv_bvals = values.isEmpty
            ? nil
            : nullTerminated(values.map { box(berval($0)) })
        return box(mod)
    }
}

extension LDAPConnection {
    /// Sends `request` without waiting for its reply.
    /// - Returns: libldap's code and, when it is LDAP_SUCCESS, the request's message id.
    func send(_ handle: OpaquePointer, _ request: LDAPRequest) -> (rc: Int32, messageID: Int32) {
        let arena = CArena()
        var messageID: Int32 = 0
        let rc: Int32

        switch request {
        case .add(let dn, let attributes):
            let mods = arena.modifications(attributes.map { (LDAP_MOD_ADD, $0.0, $0.1) })
            rc = ldap_add_ext(handle, dn, mods, nil, nil, &messageID)
        case .modify(let dn, let modifications):
            let mods = arena.modifications(modifications.map {
                ($0.operation.rawValue, $0.attribute, $0.values)
            })
            rc = ldap_modify_ext(handle, dn, mods, nil, nil, &messageID)
        case .rename(let dn, let newRDN, let newSuperior, let deleteOldRDN):
            rc = ldap_rename(handle, dn, newRDN, newSuperior, deleteOldRDN ? 1 : 0,
                             nil, nil, &messageID)
        case .delete(let dn):
            rc = ldap_delete_ext(handle, dn, nil, nil, &messageID)
        }
        return (rc, messageID)
    }
}

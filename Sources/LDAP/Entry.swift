import CLDAP

/// One directory entry as read from the server. Values are UTF-8 strings.
public struct LDAPEntry: Sendable {
    public let dn: String
    /// Values by attribute name, the names lowercased as the server sent them (options kept,
    /// e.g. "cn;lang-de").
    public let attributes: [String: [String]]

    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// All values of `name` (any case), or [] if the entry has none.
    public func values(_ name: String) -> [String] {
        attributes[name.lowercased()] ?? []
    }

    /// The first value of `name` (any case), or nil.
    public func first(_ name: String) -> String? {
        values(name).first
    }
}

extension LDAPEntry {
    /// Decodes a search result entry; frees everything libldap allocated for it.
    /// The message itself stays owned by the caller.
    init(handle: OpaquePointer, message: OpaquePointer) {
        let dn = takeString(ldap_get_dn(handle, message)) ?? ""

        var attributes: [String: [String]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(handle, message, &ber)
        while let current = name {
            let key = String(cString: current).lowercased()
            attributes[key, default: []] += Self.values(handle, message, current)
            ldap_memfree(current)
            name = ldap_next_attribute(handle, message, ber)
        }
        if let ber {
            ber_free(ber, 0)
        }

        self.init(dn: dn, attributes: attributes)
    }

    private static func values(_ handle: OpaquePointer, _ message: OpaquePointer,
                               _ name: UnsafeMutablePointer<CChar>) -> [String] {
        guard let list = ldap_get_values_len(handle, message, name) else { return [] }
        defer { ldap_value_free_len(list) }

        var values: [String] = []
        var cursor = list
        while let value = cursor.pointee?.pointee {
            values.append(value.bv_val.map { string(from: $0, length: value.bv_len) } ?? "")
            cursor += 1
        }
        return values
    }
}

import CLDAP

/// Distinguished names (RFC 4514), parsed and printed by libldap.
public enum LDAPDN {
    /// One RDN component: attribute type and raw (unescaped) value.
    public typealias AVA = (type: String, value: String)

    /// Escapes a raw value for use in a DN, e.g. `Smith, John` → `Smith\2C John`.
    /// Non-ASCII UTF-8 stays readable (ldap_dn2str with LDAP_DN_PRETTY).
    public static func escapeValue(_ value: String) -> String {
        let placeholder = "x"
        let printed = (try? format([[(placeholder, value)]])) ?? ""
        return String(printed.dropFirst(placeholder.count + 1))
    }

    /// Splits `dn` into RDNs (leaf first), each a list of AVAs with raw values
    /// (`cn=Smith\, John` gives `("cn", "Smith, John")`).
    /// - Throws: `LDAPError` (operation "dn") with code 34 invalidDNSyntax if libldap rejects it.
    public static func parse(_ dn: String) throws -> [[AVA]] {
        var parsed: LDAPDN_C?
        let rc = ldap_str2dn(dn, &parsed, UInt32(LDAP_DN_FORMAT_LDAPV3))
        defer { ldap_dnfree(parsed) }
        guard rc == LDAP_SUCCESS else {
            throw LDAPError(code: LDAP_INVALID_DN_SYNTAX, diagnostic: dn, matchedDN: nil,
                            operation: "dn")
        }
        return rdns(parsed)
    }

    /// A canonical form for comparing DNs: types and values lowercased, AVAs of a multi-valued
    /// RDN sorted, escaping as libldap prints it. Equal DNs give equal strings.
    /// Lowercasing values assumes case-insensitive naming attributes (cn, uid, ou, dc), as is
    /// the rule in practice.
    /// - Throws: `LDAPError` (operation "dn") if `dn` does not parse.
    public static func normalize(_ dn: String) throws -> String {
        let lowered = try parse(dn).map { rdn in
            rdn.map { (type: $0.type.lowercased(), value: $0.value.lowercased()) }
                .sorted { ($0.type, $0.value) < ($1.type, $1.value) }
        }
        return try format(lowered)
    }

    /// Prints RDNs (leaf first) as an RFC 4514 string with libldap's escaping.
    /// - Throws: `LDAPError` (operation "dn") if libldap can't print them.
    public static func format(_ rdns: [[AVA]]) throws -> String {
        guard !rdns.isEmpty else { return "" }
        let arena = CArena()
        let dn = arena.nullTerminated(rdns.map { rdn in
            arena.nullTerminated(rdn.map { arena.box(ava($0, in: arena)) })
        })

        var printed: UnsafeMutablePointer<CChar>?
        let flags = UInt32(LDAP_DN_FORMAT_LDAPV3) | UInt32(LDAP_DN_PRETTY)
        let rc = ldap_dn2str(dn, &printed, flags)
        guard rc == LDAP_SUCCESS, let text = takeString(printed) else {
            throw LDAPError(code: rc, diagnostic: nil, matchedDN: nil, operation: "dn")
        }
        return text
    }

    private static func ava(_ component: AVA, in arena: CArena) -> LDAPAVA {
        LDAPAVA(la_attr: arena.berval(component.type), la_value: arena.berval(component.value),
                la_flags: UInt32(LDAP_AVA_STRING), la_private: nil)
    }

    private static func rdns(_ dn: LDAPDN_C?) -> [[AVA]] {
        var result: [[AVA]] = []
        var rdn = dn
        while let current = rdn?.pointee {
            result.append(avas(current))
            rdn = rdn?.successor()
        }
        return result
    }

    private static func avas(_ rdn: LDAPRDN_C) -> [AVA] {
        var result: [AVA] = []
        var cursor = rdn
        while let ava = cursor.pointee?.pointee {
            result.append((text(ava.la_attr), text(ava.la_value)))
            cursor += 1
        }
        return result
    }

    private static func text(_ value: berval) -> String {
        value.bv_val.map { string(from: $0, length: value.bv_len) } ?? ""
    }
}

/// libldap's `LDAPDN` (`LDAPRDN *`) and `LDAPRDN` (`LDAPAVA **`), spelled out to avoid the
/// clash with our enum's name.
typealias LDAPRDN_C = UnsafeMutablePointer<UnsafeMutablePointer<LDAPAVA>?>
typealias LDAPDN_C = UnsafeMutablePointer<LDAPRDN_C?>

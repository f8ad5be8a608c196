import CLDAP

extension LDAPConnection {
    /// Simple bind (RFC 4513 §5.1.3) as `dn`.
    ///
    /// An empty password is refused before anything is sent: the server would treat it as an
    /// unauthenticated bind and succeed without checking anything.
    /// - Throws: `LDAPError` with operation "bind", e.g. code 49 invalidCredentials for a wrong
    ///   password or a locked account. The password never appears in the error.
    public func bind(dn: String, password: String) throws {
        let handle = try openHandle("bind")
        guard !password.isEmpty else {
            throw LDAPError(code: LDAP_PARAM_ERROR,
                            message: "empty password refused (it would be an unauthenticated bind)",
                            operation: "bind")
        }

        var secret = Array(password.utf8).map { CChar(bitPattern: $0) }
        defer { secret.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        let rc = secret.withUnsafeMutableBufferPointer { buffer in
            var credential = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.baseAddress)
            return ldap_sasl_bind_s(handle, dn, nil, &credential, nil, nil, nil)
        }

        guard rc == LDAP_SUCCESS else {
            throw lastError(handle, code: rc, operation: "bind")
        }
    }

    /// The authorization identity the server sees (RFC 4532), e.g. "dn:cn=idsync,ou=services,…",
    /// or "" for an anonymous connection.
    /// - Throws: `LDAPError` with operation "whoami".
    public func whoAmI() throws -> String {
        let handle = try openHandle("whoami")

        var authzID: UnsafeMutablePointer<berval>?
        let rc = ldap_whoami_s(handle, &authzID, nil, nil)
        defer { ber_bvfree(authzID) }
        guard rc == LDAP_SUCCESS else {
            throw lastError(handle, code: rc, operation: "whoami")
        }

        guard let value = authzID?.pointee, let bytes = value.bv_val else { return "" }
        return string(from: bytes, length: value.bv_len)
    }
}

/// Decodes `length` bytes at `bytes` as UTF-8 (invalid sequences become U+FFFD).
func string(from bytes: UnsafeMutablePointer<CChar>, length: ber_len_t) -> String {
    let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(length))
    return String(decoding: buffer, as: UTF8.self)
}

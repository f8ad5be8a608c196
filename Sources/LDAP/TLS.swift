import CLDAP
import CLDAPShim

/// How a connection protects itself with TLS.
///
/// `ldaps://` URLs always use TLS. For `ldap://`, `startTLS` upgrades the connection with the
/// StartTLS extended operation before anything else is sent.
public struct TLSOptions: Sendable {
    /// PEM file of the CA certificates to trust. nil keeps libldap's default
    /// (TLS_CACERT in ldap.conf).
    public var caFile: String?
    public var startTLS: Bool
    /// Demand a valid server certificate that matches the host. Turn off only in tests.
    public var verifyPeer: Bool = true

    public init(caFile: String? = nil, startTLS: Bool = false, verifyPeer: Bool = true) {
        self.caFile = caFile
        self.startTLS = startTLS
        self.verifyPeer = verifyPeer
    }
}

extension LDAPConnection {
    /// Sets this handle's CA file and certificate demand, then gives it a TLS context of its own
    /// (NEWCTX), so settings never leak between connections.
    func applyTLSOptions(_ handle: OpaquePointer) throws {
        if let caFile = tls.caFile {
            try check(ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile), "connect")
        }

        var demand = tls.verifyPeer ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
        try check(ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand), "connect")

        var isServer: Int32 = 0
        try check(ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &isServer), "connect")
    }

    /// Our wording for a failed handshake: libldap itself says only "Can't contact LDAP server"
    /// (ldaps) or "Connect error" (StartTLS).
    func tlsFailure(code: Int32, operation: String) -> LDAPError {
        let libldap = String(cString: ldap_err2string(code))
        let ca = tls.caFile ?? "none given (libldap default)"
        let message = "TLS verification/handshake failed against \(url), CA file \(ca)"
            + " (libldap: \(libldap))"
        return LDAPError(code: code, message: message, operation: operation, isTLSFailure: true)
    }
}

import CLDAP
import CLDAPShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to one LDAP server: a single libldap handle (`LDAP *`).
///
/// Not thread-safe and not `Sendable`: use a connection from one task or thread at a time.
/// Open one connection per worker instead of sharing one.
///
/// The first connection sets SIGPIPE to ignored for the whole process: libldap writes to its
/// socket without MSG_NOSIGNAL, so a server that goes away mid-write would otherwise kill the
/// process instead of producing LDAP_SERVER_DOWN (seen in tests).
public final class LDAPConnection {
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    public let url: String
    let tls: TLSOptions
    let operationTimeout: Double
    private var handle: OpaquePointer?

    /// Opens a connection: sets LDAPv3, the network and operation timeouts and the TLS options,
    /// then connects (with StartTLS for `ldap://` when `tls.startTLS` is set).
    ///
    /// Timeouts are in seconds. `operationTimeout` bounds each synchronous operation and each
    /// wait for a pipelined reply.
    /// - Throws: `LDAPError` with operation "connect" or "starttls"; TLS failures carry our
    ///   wording and `isTLSFailure`.
    public init(url: String, tls: TLSOptions = .init(), networkTimeout: Double = 10,
                operationTimeout: Double = 60) throws {
        self.url = url
        self.tls = tls
        self.operationTimeout = operationTimeout
        Self.ignoreBrokenPipes

        var created: OpaquePointer?
        let rc = ldap_initialize(&created, url)
        guard rc == LDAP_SUCCESS, let created else {
            throw LDAPError(code: rc, diagnostic: url, matchedDN: nil, operation: "connect")
        }
        handle = created

        do {
            try configure(created, networkTimeout: networkTimeout)
            try connect(created)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Unbinds and frees the handle. Later operations throw; calling close again does nothing.
    public func close() {
        guard let handle else { return }
        ldap_unbind_ext_s(handle, nil, nil)
        self.handle = nil
    }

    /// The open handle, or an error naming `operation` if the connection was closed.
    func openHandle(_ operation: String) throws -> OpaquePointer {
        guard let handle else {
            throw LDAPError(code: LDAP_SERVER_DOWN, message: "connection is closed",
                            operation: operation)
        }
        return handle
    }

    var usesTLS: Bool {
        url.lowercased().hasPrefix("ldaps://") || tls.startTLS
    }

    private func configure(_ handle: OpaquePointer, networkTimeout: Double) throws {
        var version = LDAP_VERSION3
        try check(ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version), "connect")

        var network = timeval(seconds: networkTimeout)
        try check(ldap_set_option(handle, LDAP_OPT_NETWORK_TIMEOUT, &network), "connect")

        var operation = timeval(seconds: operationTimeout)
        try check(ldap_set_option(handle, LDAP_OPT_TIMEOUT, &operation), "connect")

        try check(cldap_set_bool_option(handle, LDAP_OPT_REFERRALS, 0), "connect")

        if usesTLS {
            try applyTLSOptions(handle)
        }
    }

    private func connect(_ handle: OpaquePointer) throws {
        let ldaps = url.lowercased().hasPrefix("ldaps://")
        let operation = tls.startTLS && !ldaps ? "starttls" : "connect"
        let rc = operation == "starttls"
            ? ldap_start_tls_s(handle, nil, nil)
            : ldap_connect(handle)
        guard rc == LDAP_SUCCESS else {
            throw usesTLS
                ? tlsFailure(code: rc, operation: operation)
                : lastError(handle, code: rc, operation: operation)
        }
    }

    /// Throws the handle's last error if `rc` is not LDAP_SUCCESS.
    func check(_ rc: Int32, _ operation: String) throws {
        guard rc != LDAP_SUCCESS else { return }
        throw lastError(handle, code: rc, operation: operation)
    }

    /// An error for `code` with the handle's diagnostic message, if it has one.
    func lastError(_ handle: OpaquePointer?, code: Int32, operation: String) -> LDAPError {
        var diagnostic: UnsafeMutablePointer<CChar>?
        if let handle {
            ldap_get_option(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic)
        }
        return LDAPError(code: code, diagnostic: takeString(diagnostic), matchedDN: nil,
                         operation: operation)
    }
}

extension timeval {
    init(seconds: Double) {
        let whole = seconds.rounded(.down)
        self.init(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
    }
}

/// Copies a string libldap allocated and frees it with ldap_memfree; nil stays nil.
func takeString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { ldap_memfree(pointer) }
    return String(cString: pointer)
}

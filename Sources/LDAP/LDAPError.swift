import CLDAP

/// A failed LDAP operation: the RFC 4511 result code (or libldap's negative API code), the text
/// that explains it, and the operation that failed.
///
/// `message` is `ldap_err2string` plus the server's diagnostic text. It never contains a password:
/// no operation puts credentials into an error.
public struct LDAPError: Error, CustomStringConvertible {
    /// RFC 4511 result code (`4` sizeLimitExceeded, `49` invalidCredentials, …), or a negative
    /// libldap API code (`-1` server down, `-5` timeout, `-11` connect error).
    public let code: Int32
    public let message: String
    public let matchedDN: String?
    /// "bind", "search", "add", "modify", "modrdn", "delete", "connect", "starttls", "whoami".
    public let operation: String
    /// True when the message is our TLS wording; such a failure is not transient.
    public let isTLSFailure: Bool

    public init(code: Int32, message: String, matchedDN: String? = nil, operation: String,
                isTLSFailure: Bool = false) {
        self.code = code
        self.message = message
        self.matchedDN = matchedDN
        self.operation = operation
        self.isTLSFailure = isTLSFailure
    }

    /// For example "search failed: 4 Size limit exceeded (…diagnostic…)".
    public var description: String {
        "\(operation) failed: \(code) \(message)"
    }

    public var isSizeLimitExceeded: Bool { code == LDAP_SIZELIMIT_EXCEEDED }

    public var isTimeLimitExceeded: Bool { code == LDAP_TIMELIMIT_EXCEEDED }

    /// Worth retrying later: the server is down, busy, unavailable, or did not answer in time.
    public var isTransient: Bool {
        guard !isTLSFailure else { return false }
        return [LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_TIMEOUT, LDAP_BUSY, LDAP_UNAVAILABLE]
            .contains(code)
    }

    public var isNoSuchObject: Bool { code == LDAP_NO_SUCH_OBJECT }

    public var isAlreadyExists: Bool { code == LDAP_ALREADY_EXISTS }
}

extension LDAPError {
    /// An error from a result code and optional server texts; `diagnostic` is appended in
    /// parentheses when the server sent one.
    init(code: Int32, diagnostic: String?, matchedDN: String?, operation: String) {
        var message = String(cString: ldap_err2string(code))
        if let diagnostic, !diagnostic.isEmpty {
            message += " (\(diagnostic))"
        }
        let matched = matchedDN.flatMap { $0.isEmpty ? nil : $0 }
        self.init(code: code, message: message, matchedDN: matched, operation: operation)
    }
}

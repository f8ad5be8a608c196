import CLDAP

/// A NULL-terminated array of controls, as libldap passes and returns them.
typealias ControlList = UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>

/// The LDAPResult of one reply (RFC 4511 §4.1.9): code, matched DN, diagnostic text, and the
/// controls the server attached.
struct ServerResult {
    let code: Int32
    let matchedDN: String?
    let diagnostic: String?

    var isSuccess: Bool { code == LDAP_SUCCESS }

    func error(_ operation: String) -> LDAPError {
        LDAPError(code: code, diagnostic: diagnostic, matchedDN: matchedDN, operation: operation)
    }
}

extension LDAPConnection {
    /// Parses the result in `message`. The message stays the caller's to free; any returned
    /// controls are handed to `controls` and freed after it returns.
    func parseResult(_ handle: OpaquePointer, _ message: OpaquePointer,
                     controls: (ControlList?) -> Void = { _ in })
        -> ServerResult {
        var code: Int32 = 0
        var matched: UnsafeMutablePointer<CChar>?
        var diagnostic: UnsafeMutablePointer<CChar>?
        var returned: ControlList?
        let rc = ldap_parse_result(handle, message, &code, &matched, &diagnostic, nil,
                                   &returned, 0)

        defer { ldap_controls_free(returned) }
        controls(returned)

        return ServerResult(code: rc == LDAP_SUCCESS ? code : rc,
                            matchedDN: takeString(matched), diagnostic: takeString(diagnostic))
    }
}

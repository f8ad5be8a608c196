import CLDAP

/// The cookie of the Simple Paged Results control (RFC 2696), carried from one page to the next.
///
/// Owns the cookie bytes libldap allocates and frees them with ber_memfree.
final class PageCookie {
    private(set) var value = berval(bv_len: 0, bv_val: nil)

    /// Empty before the first page and after the last one.
    var isEmpty: Bool { value.bv_len == 0 }

    deinit {
        clear()
    }

    /// A new paged-results request control (critical, so a server that can't page refuses the
    /// search instead of returning everything unpaged). The caller frees it: ldap_control_free.
    func requestControl(_ handle: OpaquePointer, pageSize: Int) throws
        -> UnsafeMutablePointer<LDAPControl> {
        var control: UnsafeMutablePointer<LDAPControl>?
        let size = ber_int_t(clamping: pageSize)
        let rc = ldap_create_page_control(handle, size, &value, 1, &control)
        guard rc == LDAP_SUCCESS, let control else {
            throw LDAPError(code: rc, diagnostic: "paged results control", matchedDN: nil,
                            operation: "search")
        }
        return control
    }

    /// Takes the next cookie from the server's response controls; none means no more pages.
    func update(_ handle: OpaquePointer, from controls: ControlList?) {
        clear()
        guard let response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, nil) else {
            return
        }

        var estimate: ber_int_t = 0
        if ldap_parse_pageresponse_control(handle, response, &estimate, &value) != LDAP_SUCCESS {
            clear()
        }
    }

    private func clear() {
        if let bytes = value.bv_val {
            ber_memfree(bytes)
        }
        value = berval(bv_len: 0, bv_val: nil)
    }
}

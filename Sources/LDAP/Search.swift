import CLDAP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far below the base a search looks (RFC 4511 §4.5.1.2).
public enum SearchScope: Sendable {
    case base, oneLevel, subtree

    var rawValue: Int32 {
        switch self {
        case .base: LDAP_SCOPE_BASE
        case .oneLevel: LDAP_SCOPE_ONELEVEL
        case .subtree: LDAP_SCOPE_SUBTREE
        }
    }
}

/// One search request, as libldap's ldap_search_ext_s wants it.
struct SearchRequest {
    let base: String
    let scope: SearchScope
    let filter: String
    /// [] asks for all user attributes.
    let attributes: [String]
    /// Attribute names only, no values (RFC 4511 §4.5.1.6, typesOnly).
    var typesOnly = false
}

extension LDAPConnection {
    /// Paged search (RFC 2696): calls `each` for every entry as it arrives, page by page.
    ///
    /// Entries are decoded while the server is still sending the rest of the page, so the
    /// server's work and the caller's overlap instead of adding up.
    ///
    /// Throws `LDAPError` (operation "search") on any result other than success, e.g. 4
    /// sizeLimitExceeded or 3 timeLimitExceeded, even though entries arrived before it: the
    /// result comes last. A caller that gets an error must throw away what it collected and
    /// never treat a partial read as whole. Errors thrown by `each` stop the search (the rest
    /// of it is abandoned) and propagate unchanged.
    ///
    /// With `typesOnly` the server sends each attribute's name and none of its values: how
    /// to learn that a credential is there without reading it.
    public func search(base: String, scope: SearchScope, filter: String, attributes: [String],
                       pageSize: Int = 1000, typesOnly: Bool = false,
                       each: (LDAPEntry) throws -> Void) throws {
        var names = AttributeNameCache()
        try searchEncoded(base: base, scope: scope, filter: filter, attributes: attributes,
                          pageSize: pageSize, typesOnly: typesOnly) { entry in
            try each(LDAPEntry(entry, names: &names))
        }
    }

    /// The same paged search, handing on each entry as the server encoded it, for a reader
    /// that makes strings only of what it keeps (see `EncodedEntry`).
    public func searchEncoded(base: String, scope: SearchScope, filter: String,
                              attributes: [String], pageSize: Int = 1000, typesOnly: Bool = false,
                              each: (EncodedEntry) throws -> Void) throws {
        let handle = try openHandle("search")
        let request = SearchRequest(base: base, scope: scope, filter: filter,
                                    attributes: attributes, typesOnly: typesOnly)
        let cookie = PageCookie()
        var scratch: [EncodedAttribute] = []

        repeat {
            let control = try cookie.requestControl(handle, pageSize: pageSize)
            defer { ldap_control_free(control) }
            let messageID = try start(handle, request, control: control)
            do {
                try streamPage(handle, messageID: messageID, cookie: cookie, scratch: &scratch,
                               each: each)
            } catch {
                ldap_abandon_ext(handle, messageID, nil, nil)
                throw error
            }
        } while !cookie.isEmpty
    }

    /// Sends one page request without waiting; returns its message id.
    private func start(_ handle: OpaquePointer, _ request: SearchRequest,
                       control: UnsafeMutablePointer<LDAPControl>) throws -> Int32 {
        let arena = CArena()
        let attributes = request.attributes.isEmpty
            ? nil
            : arena.nullTerminated(request.attributes.map { arena.string($0) })
        let controls = arena.nullTerminated([control])
        var timeout = timeval(seconds: operationTimeout)
        var messageID: Int32 = 0
        let rc = ldap_search_ext(handle, request.base, request.scope.rawValue, request.filter,
                                 attributes, request.typesOnly ? 1 : 0, controls, nil, &timeout,
                                 LDAP_NO_LIMIT, &messageID)
        guard rc == LDAP_SUCCESS else { throw lastError(handle, code: rc, operation: "search") }
        return messageID
    }

    /// Takes the replies of one page one at a time: entries go to `each`, the final result
    /// is checked and moves `cookie` on.
    private func streamPage(_ handle: OpaquePointer, messageID: Int32, cookie: PageCookie,
                            scratch: inout [EncodedAttribute],
                            each: (EncodedEntry) throws -> Void) throws {
        while true {
            var message: OpaquePointer?
            var timeout = timeval(seconds: operationTimeout)
            let type = ldap_result(handle, messageID, LDAP_MSG_ONE, &timeout, &message)
            defer { ldap_msgfree(message) }
            guard type > 0, let message else {
                throw waitFailure(handle, type: type, operation: "search")
            }
            switch ber_tag_t(type) {
            case LDAP_RES_SEARCH_ENTRY:
                try EncodedEntry.decode(handle, message, scratch: &scratch, each)
            case LDAP_RES_SEARCH_RESULT:
                let result = parseResult(handle, message) { cookie.update(handle, from: $0) }
                guard result.isSuccess else { throw result.error("search") }
                return
            default:
                continue    // references and intermediate responses: not followed
            }
        }
    }

    /// Reads the entry at `dn` (base scope, unpaged).
    /// - Returns: the entry, or nil if the server answers noSuchObject (32).
    /// - Throws: `LDAPError` (operation "search") for any other failure.
    public func read(dn: String, attributes: [String]) throws -> LDAPEntry? {
        let handle = try openHandle("search")
        let request = SearchRequest(base: dn, scope: .base, filter: "(objectClass=*)",
                                    attributes: attributes)

        var found: LDAPEntry?
        do {
            try runSearch(handle, request, control: nil) { found = $0 }
        } catch let error as LDAPError where error.isNoSuchObject {
            return nil
        }
        return found
    }

    /// Runs one ldap_search_ext_s. Checks the result before delivering any entry, so a failed
    /// result delivers nothing. Frees the result message.
    private func runSearch(
        _ handle: OpaquePointer, _ request: SearchRequest,
        control: UnsafeMutablePointer<LDAPControl>?,
        each: (LDAPEntry) throws -> Void,
        controls: (ControlList?) -> Void = { _ in }
    ) throws {
        var message: OpaquePointer?
        let rc = send(handle, request, control: control, into: &message)
        defer { ldap_msgfree(message) }
        guard let message else {
            throw lastError(handle, code: rc, operation: "search")
        }

        let result = parseResult(handle, message, controls: controls)
        guard result.isSuccess else { throw result.error("search") }

        var names = AttributeNameCache()
        var scratch: [EncodedAttribute] = []
        var entry = ldap_first_entry(handle, message)
        while let current = entry {
            try each(EncodedEntry.decode(handle, current, scratch: &scratch) {
                LDAPEntry($0, names: &names)
            })
            entry = ldap_next_entry(handle, current)
        }
    }

    /// Sends the search and waits for all of its replies. Returns libldap's code; `message`
    /// receives the chain of entries and the final result (the caller frees it).
    private func send(_ handle: OpaquePointer, _ request: SearchRequest,
                      control: UnsafeMutablePointer<LDAPControl>?,
                      into message: inout OpaquePointer?) -> Int32 {
        let arena = CArena()
        let attributes = request.attributes.isEmpty
            ? nil
            : arena.nullTerminated(request.attributes.map { arena.string($0) })
        let controls = control.map { arena.nullTerminated([$0]) }
        var timeout = timeval(seconds: operationTimeout)

        return ldap_search_ext_s(handle, request.base, request.scope.rawValue, request.filter,
                                 attributes, 0, controls, nil, &timeout, LDAP_NO_LIMIT, &message)
    }
}

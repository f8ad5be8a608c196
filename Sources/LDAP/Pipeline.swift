#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLDAP

/// Which requests of a pipelined batch were sent and which replies are still awaited.
private struct PipelineState {
    let count: Int
    var next = 0
    var awaiting: [Int32: Int] = [:]   // message id → request index
    /// The caller's `ready` said no: nothing more is sent, the replies due are still read.
    var stopped = false

    var isDone: Bool { (next == count || stopped) && awaiting.isEmpty }

    /// Indexes not yet completed: those awaiting a reply (in request order), then those unsent.
    var incomplete: [Int] { awaiting.values.sorted() + (stopped ? [] : Array(next..<count)) }
}

extension LDAPConnection {
    /// Pipelined writes: keeps up to `window` requests in flight on this connection and calls
    /// `completion(index, result)` for each request as its reply arrives, in any order.
    ///
    /// A failed request never stops the rest; it is reported through `completion`.
    /// `ready(index)` is asked just before request `index` goes out, in order, so that the
    /// caller can do what must precede it (write an audit record) while earlier requests are
    /// in flight; when it returns false nothing more is sent, and only the replies already
    /// due are reported.
    /// - Throws: `LDAPError` only when the connection itself is lost or no reply arrives within
    ///   the operation timeout. Every index not yet completed is first reported as failed with
    ///   that error. Close the connection afterwards: replies still due are not abandoned.
    public func perform(_ requests: [LDAPRequest], window: Int = 32,
                        ready: (Int) -> Bool = { _ in true },
                        completion: (Int, Result<Void, LDAPError>) -> Void) throws {
        let handle = try openHandle(requests.first?.operation ?? "modify")
        var state = PipelineState(count: requests.count)

        while !state.isDone {
            do {
                try sendWindow(handle, requests, max(1, window), &state, ready, completion)
                try receiveReply(handle, requests, &state, completion)
            } catch let lost as LDAPError {
                for index in state.incomplete {
                    completion(index, .failure(lost.renamed(requests[index].operation)))
                }
                throw lost
            }
        }
    }

    /// One synchronous write.
    /// - Throws: `LDAPError` named after the request's operation ("add", "modrdn", …).
    public func perform(_ request: LDAPRequest) throws {
        var outcome: Result<Void, LDAPError> = .success(())
        try perform([request], window: 1) { _, result in outcome = result }
        try outcome.get()
    }

    /// Sends requests until `window` are in flight. A request libldap refuses to send fails
    /// alone; a lost connection throws.
    private func sendWindow(_ handle: OpaquePointer, _ requests: [LDAPRequest], _ window: Int,
                            _ state: inout PipelineState, _ ready: (Int) -> Bool,
                            _ completion: (Int, Result<Void, LDAPError>) -> Void) throws {
        while state.awaiting.count < window && state.next < requests.count && !state.stopped {
            let index = state.next
            guard ready(index) else {
                state.stopped = true
                return
            }
            let (rc, messageID) = send(handle, requests[index])
            if rc == LDAP_SUCCESS {
                state.awaiting[messageID] = index
                state.next += 1
                continue
            }

            // A lost connection leaves `index` unsent, so the caller reports it with the rest.
            let error = lastError(handle, code: rc, operation: requests[index].operation)
            guard !isConnectionLost(rc) else { throw error }
            state.next += 1
            completion(index, .failure(error))
        }
    }

    /// Waits for one reply and reports it. Throws if the connection is lost, the wait times
    /// out, or the server sends an unsolicited notification (a notice of disconnection).
    private func receiveReply(_ handle: OpaquePointer, _ requests: [LDAPRequest],
                              _ state: inout PipelineState,
                              _ completion: (Int, Result<Void, LDAPError>) -> Void) throws {
        guard !state.awaiting.isEmpty else { return }

        var message: OpaquePointer?
        var timeout = timeval(seconds: operationTimeout)
        let type = ldap_result(handle, LDAP_RES_ANY, LDAP_MSG_ONE, &timeout, &message)
        defer { ldap_msgfree(message) }
        let operation = requests[state.awaiting.values.min() ?? 0].operation
        guard type > 0, let message else {
            throw waitFailure(handle, type: type, operation: operation)
        }

        guard let index = state.awaiting.removeValue(forKey: ldap_msgid(message)) else {
            let notice = parseResult(handle, message)
            throw LDAPError(code: LDAP_SERVER_DOWN, diagnostic: notice.diagnostic,
                            matchedDN: nil, operation: operation)
        }
        let result = parseResult(handle, message)
        let name = requests[index].operation
        completion(index, result.isSuccess ? .success(()) : .failure(result.error(name)))
    }

    func waitFailure(_ handle: OpaquePointer, type: Int32, operation: String) -> LDAPError {
        guard type == 0 else {
            var code: Int32 = LDAP_SERVER_DOWN
            ldap_get_option(handle, LDAP_OPT_RESULT_CODE, &code)
            return lastError(handle, code: code, operation: operation)
        }
        return LDAPError(code: LDAP_TIMEOUT,
                         diagnostic: "no reply within \(operationTimeout) s",
                         matchedDN: nil, operation: operation)
    }

    private func isConnectionLost(_ rc: Int32) -> Bool {
        rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT
    }
}

extension LDAPError {
    /// The same error reported for another operation.
    func renamed(_ operation: String) -> LDAPError {
        LDAPError(code: code, message: message, matchedDN: matchedDN, operation: operation,
                  isTLSFailure: isTLSFailure)
    }
}

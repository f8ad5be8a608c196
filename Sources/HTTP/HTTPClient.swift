import CCurl
import CCurlShim
import Foundation

/// A blocking HTTP client over one curl handle, so that connections to the same API are kept
/// alive between requests. Use one client per thread: a curl handle is not safe to share.
public final class HTTPClient: @unchecked Sendable {
    private let options: HTTPOptions
    private let handle: UnsafeMutableRawPointer

    public init(options: HTTPOptions = HTTPOptions()) {
        _ = HTTPClient.globalInit
        self.options = options
        guard let handle = curl_easy_init() else {
            fatalError("curl_easy_init failed: libcurl could not allocate a handle")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// curl_global_init is not thread-safe against itself; a static let runs it exactly once.
    private static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Sends `request`, retrying where the answer says it is worth it: a 429 always, a 5xx or a
    /// failed connection when the request is retryable. Any other answer, 4xx included, is
    /// returned for the caller to judge.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let shown = HTTPEndpoint.displayed(request.url)
        guard URLParts(request.url) != nil else { throw HTTPError.invalidURL(shown) }

        var attempt = 1
        while true {
            let delay: Double
            switch transfer(request) {
            case .success(let response):
                guard shouldRetry(response.status, request) else { return response }

                let message = response.status == 429 ? "rate limited" : "server error"
                guard attempt < options.maxAttempts else {
                    throw .retriesExhausted(url: shown, attempts: attempt,
                                            lastStatus: response.status, lastMessage: message)
                }
                delay = try waitBeforeRetry(response, attempt: attempt, url: shown)

            case .failure(let error):
                guard request.retryable, error.isWorthRetrying, attempt < options.maxAttempts else {
                    guard attempt > 1 else { throw error.httpError }
                    throw .retriesExhausted(url: shown, attempts: attempt, lastStatus: nil,
                                            lastMessage: error.message)
                }
                delay = backoff(attempt)
            }

            options.sleep(delay)
            attempt += 1
        }
    }

    private func shouldRetry(_ status: Int, _ request: HTTPRequest) -> Bool {
        if status == 429 { return true }
        let permanentServerErrors = [501, 505]
        return request.retryable && (500...599).contains(status)
            && !permanentServerErrors.contains(status)
    }

    /// The server's Retry-After where it gave one, else exponential backoff. A wait longer than
    /// the client allows ends the retries now rather than hammering a server that said no.
    private func waitBeforeRetry(_ response: HTTPResponse, attempt: Int,
                                 url: String) throws(HTTPError) -> Double {
        guard let header = response.header("retry-after"),
              let asked = RetryAfter.seconds(header) else { return backoff(attempt) }

        guard asked <= options.maxRetryDelay else {
            throw .retriesExhausted(
                url: url, attempts: attempt, lastStatus: response.status,
                lastMessage: "the server asked to wait \(Int(asked)) s, longer than the "
                    + "\(Int(options.maxRetryDelay)) s this client waits")
        }
        return asked
    }

    private func backoff(_ attempt: Int) -> Double {
        min(options.maxRetryDelay, options.initialBackoff * pow(2, Double(attempt - 1)))
    }

    // MARK: - One exchange

    private func transfer(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
        curl_easy_reset(handle)
        let received = Received()
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // curl would otherwise wait for "100 Continue" before sending a large body.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        let code = errorText.withUnsafeMutableBufferPointer { errorBuffer -> CURLcode in
            withExtendedLifetime(received) {
                let context = Unmanaged.passUnretained(received).toOpaque()
                configure(request, headers: headerList, context: context,
                          errorBuffer: errorBuffer.baseAddress!)
                return curl_easy_perform(handle)
            }
        }

        guard code == CURLE_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                                as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(TransportFailure(url: HTTPEndpoint.displayed(request.url),
                                             code: Int(code.rawValue), message: message))
        }

        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: received.headers,
                                     body: received.body))
    }

    private func configure(_ request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?,
                           context: UnsafeMutableRawPointer,
                           errorBuffer: UnsafeMutablePointer<CChar>) {
        _ = ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(options.requestTimeout))
        _ = ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)

        // Verification is curl's default; it is set again so that no reset or build flag can
        // quietly turn it off.
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = options.caFile {
            _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile)
        }

        setMethod(request)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)

        _ = ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, collectBody)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, collectHeader)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    private func setMethod(_ request: HTTPRequest) {
        switch request.method {
        case "GET":
            _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST":
            _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
        default:
            _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }

        guard let body = request.body ?? (request.method == "POST" ? [] : nil) else { return }
        _ = ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        body.withUnsafeBytes { bytes in
            let start = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            // COPYPOSTFIELDS copies at once, so the Swift array may go away before perform.
            _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start))
        }
    }

    private func milliseconds(_ seconds: Double) -> Int {
        Int((seconds * 1000).rounded())
    }
}

/// What curl hands the callbacks of one transfer.
private final class Received {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []

    func addHeaderLine(_ line: String) {
        // A new status line (after a 100 Continue or a proxy's answer) starts the headers anew.
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append((name: name, value: value))
    }
}

private let collectBody: ccurl_data_callback = { data, size, count, context in
    let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        received.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private let collectHeader: ccurl_data_callback = { data, size, count, context in
    let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    received.addHeaderLine(line)
    return length
}

/// A transfer curl could not complete.
private struct TransportFailure: Error {
    let url: String
    let code: Int
    let message: String

    /// A certificate that does not verify, or a URL curl refuses, will not fix itself on a
    /// second attempt; a refused or timed-out connection may.
    var isWorthRetrying: Bool {
        let permanent: [CURLcode] = [CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT,
                                     CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
                                     CURLE_SSL_CERTPROBLEM]
        return !permanent.contains { Int($0.rawValue) == code }
    }

    var httpError: HTTPError {
        let hint = isWorthRetrying ? "" : tlsHint
        return .transport(url: url, code: code, message: message + hint)
    }

    private var tlsHint: String {
        code == Int(CURLE_PEER_FAILED_VERIFICATION.rawValue)
            ? "; the server's certificate did not verify: name its CA bundle in ca_file" : ""
    }
}

/// Failures of the transport, as opposed to answers the server gave. Every description names
/// the URL without its user info or query string, which is where credentials hide.
public enum HTTPError: Error, CustomStringConvertible, Sendable {
    case invalidURL(String)

    /// curl could not complete the exchange: refused connection, timeout, TLS verification.
    case transport(url: String, code: Int, message: String)

    /// The server kept answering 429 or 5xx (or the connection kept failing) until the attempts
    /// ran out, or asked for a longer wait than the client allows.
    case retriesExhausted(url: String, attempts: Int, lastStatus: Int?, lastMessage: String)

    case notJSON(url: String, status: Int)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "not an http(s) URL: \(url)"
        case .transport(let url, let code, let message):
            return "\(url): \(message) (curl error \(code))"
        case .retriesExhausted(let url, let attempts, let status, let message):
            let last = status.map { "HTTP \($0)" } ?? "no answer"
            return "\(url): gave up after \(attempts) attempt(s), last \(last): \(message)"
        case .notJSON(let url, let status):
            return "\(url): HTTP \(status) with a body that is not JSON"
        }
    }

    /// True for failures worth another attempt later in the same run or the next one.
    public var isTransient: Bool {
        switch self {
        case .transport, .retriesExhausted: return true
        case .invalidURL, .notJSON: return false
        }
    }
}

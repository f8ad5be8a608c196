import Foundation

/// One request to a vendor or HR API. Header values may carry secrets (bearer tokens, API keys),
/// so nothing in this target ever prints them.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    /// Whether a 5xx answer or a broken connection may be retried. A POST may have taken effect
    /// before the failure, so it is not retried unless the caller knows it is safe; a 429 is
    /// always retried, since the server says it did not process the request.
    public var retryable: Bool

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, retryable: Bool? = nil) {
        self.method = method.uppercased()
        self.url = url
        self.headers = headers
        self.body = body
        self.retryable = retryable ?? (self.method != "POST")
    }

    /// A request whose body is `object` as JSON, with the content type set.
    public static func json(_ method: String, _ url: String, object: Any,
                            headers: [(name: String, value: String)] = []) throws -> HTTPRequest {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let typed = headers + [(name: "Content-Type", value: "application/json")]
        return HTTPRequest(method: method, url: url, headers: typed, body: Array(data))
    }
}

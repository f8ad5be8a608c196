import Foundation

/// What the server answered. A 4xx or 5xx is a response like any other; the caller decides what
/// it means for its API.
public struct HTTPResponse: Sendable {
    public let status: Int

    /// Header names are lower-cased; a repeated header appears once per line received.
    public let headers: [(name: String, value: String)]

    public let body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name == wanted }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body parsed as JSON, or `.notJSON` naming the URL and status.
    public func json(url: String) throws(HTTPError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw HTTPError.notJSON(url: HTTPEndpoint.displayed(url), status: status)
        }
    }
}

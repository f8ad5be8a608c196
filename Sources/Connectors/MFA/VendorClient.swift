import Foundation
import HTTP
import IdentitySync

/// The HTTP side every cloud MFA connector shares: one client (retries on 429 and 5xx are
/// the HTTP target's), a count of requests, and failures named by connector and call.
final class VendorClient {
    let connector: String
    let base: String
    private let client: HTTPClient
    /// Requests sent, for the calls-per-leaver figures.
    private(set) var requestCount = 0

    init(connector: String, base: String, options: HTTPOptions) {
        self.connector = connector
        self.base = base
        self.client = HTTPClient(options: options)
    }

    /// Sends the request; a transport failure or exhausted retries become an `MFAFailure`.
    func send(_ request: HTTPRequest) throws(MFAFailure) -> HTTPResponse {
        requestCount += 1
        do {
            return try client.send(request)
        } catch {
            throw MFAFailure(connector: connector, message: "\(request.method) \(HTTPEndpoint.displayed(request.url)): \(error)")
        }
    }

    /// The body as JSON, or a failure naming the call.
    func json(_ response: HTTPResponse, _ call: String) throws(MFAFailure) -> Any {
        guard let value = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        else { throw failure("\(call): HTTP \(response.status) with a body that is not JSON") }
        return value
    }

    func failure(_ message: String) -> MFAFailure {
        MFAFailure(connector: connector, message: message)
    }
}

/// `application/x-www-form-urlencoded` of the pairs, in the order given.
func formEncoded(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(urlEncoded($0.0))=\(urlEncoded($0.1))" }.joined(separator: "&")
}

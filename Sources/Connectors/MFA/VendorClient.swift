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

/// How a vendor's paged JSON GET says where the next page is.
enum PageLinks {
    /// Okta: each page is a JSON array; `Link: <url>; rel="next"` (RFC 8288) names the next.
    case linkHeader
    /// Microsoft Graph: the items are in `value`, the next page in `@odata.nextLink`.
    case odataNextLink
}

extension VendorClient {
    /// Every item of every page of a JSON GET from `url`, in order. `get` sends one GET the
    /// connector's way (its authorization, its check of the status). A page that is not the
    /// documented shape is a failure, never an empty list; a next link outside the base URL
    /// is refused, so that the credential goes to no other host, and one already read stops
    /// the listing as a failure rather than looping.
    func pagedJSON(_ url: String, links: PageLinks, call: String,
                   get: (String) throws(MFAFailure) -> HTTPResponse)
        throws(MFAFailure) -> [JSONObject] {
        var items: [JSONObject] = []
        var read: Set<String> = []
        var next: String? = url
        while let page = next {
            guard read.insert(page).inserted else {
                let shown = HTTPEndpoint.displayed(page)
                throw failure("\(call): the next page \(shown) was read already")
            }
            let response = try get(page)
            let body = try json(response, call)
            switch links {
            case .linkHeader:
                guard let list = body as? [Any] else {
                    throw failure("\(call): the answer is not a JSON array")
                }
                items += list.compactMap(JSONObject.init)
                next = VendorClient.nextLink(response)
            case .odataNextLink:
                guard let object = JSONObject(body) else {
                    throw failure("\(call): the answer is not a JSON object")
                }
                items += object.objects("value")
                next = object.string("@odata.nextLink")
            }
            if let link = next, !link.hasPrefix(base + "/") {
                let shown = HTTPEndpoint.displayed(link)
                throw failure("\(call): the next page \(shown) is outside \(base)")
            }
        }
        return items
    }

    /// The `rel="next"` target of the response's Link headers, if any.
    static func nextLink(_ response: HTTPResponse) -> String? {
        let values = response.headers.filter { $0.name == "link" }.map(\.value)
        for value in values {
            for part in value.split(separator: ",") {
                let fields = part.split(separator: ";")
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                let next = fields.dropFirst().contains { $0 == "rel=\"next\"" || $0 == "rel=next" }
                guard next, let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">")
                else { continue }
                return String(target.dropFirst().dropLast())
            }
        }
        return nil
    }
}

import Foundation
import HTTP

/// Pages of `/Users` over HTTP with the bearer token. The HTTP client retries 429 and 5xx
/// answers (honouring Retry-After, within its bounds); any other answer but 200 ends the read.
final class SCIMHTTPPages: SCIMPageSource {
    let origin: String
    private let usersURL: String
    private let client: HTTPClient
    private let authorization: String

    init(usersURL: String, token: String, options: HTTPOptions) {
        self.usersURL = usersURL
        self.origin = HTTPEndpoint.displayed(usersURL)
        self.client = HTTPClient(options: options)
        self.authorization = "Bearer " + token
    }

    func fetchPage(startIndex: Int, count: Int) throws -> [UInt8] {
        let request = HTTPRequest(
            url: "\(usersURL)?startIndex=\(startIndex)&count=\(count)",
            headers: [
                ("Authorization", authorization),
                ("Accept", "application/scim+json, application/json"),
            ])
        let response = try client.send(request)
        guard response.status == 200 else { throw SCIMAnswer(response) }
        return response.body
    }
}

/// An answer that is not a page: its status and what the SCIM Error body says (RFC 7644
/// §3.12). The detail is the server's text; it never holds the request's headers.
struct SCIMAnswer: Error, CustomStringConvertible {
    let status: Int
    let detail: String

    init(_ response: HTTPResponse) {
        status = response.status
        let object =
            (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let text = [object?["scimType"], object?["detail"]].compactMap { $0 as? String }.joined(
            separator: ": ")
        detail = String(text.prefix(300))
    }

    var description: String {
        let said = detail.isEmpty ? "" : " (\(detail))"
        switch status {
        case 401, 403:
            return
                "HTTP \(status)\(said): the server refused the token; "
                + "check feed.token_file or token_env"
        default:
            return "HTTP \(status)\(said)"
        }
    }
}

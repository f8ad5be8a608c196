import Foundation
import HTTP
import IdentitySync

/// The HR feed read from a SCIM 2.0 service's `/Users` (RFC 7643/7644), with the layout that
/// names which attributes hold which fields. The core sees it as any other `HRFeed`.
public struct SCIMFeed: HRFeed {
    public let feed: FeedConfig
    public let scim: SCIMFeedConfig
    private let environment: [String: String]

    public init(feed: FeedConfig, scim: SCIMFeedConfig, environment: [String: String]) {
        self.feed = feed
        self.scim = scim
        self.environment = environment
    }

    /// Reads every user, or throws `FeedError.incomplete` saying what was seen; a token that
    /// cannot be read or a URL that would send it in clear is a `ConfigProblem`.
    public func read() throws -> FeedSnapshot {
        if let problem = HTTPEndpoint.plaintextProblem(
            url: scim.usersURL, allowPlaintext: scim.allowPlaintext)
        {
            throw ConfigProblem("feed.url: \(problem)")
        }
        let token = try SCIMFeed.token(scim, environment: environment)
        let options = HTTPOptions(
            caFile: scim.caFile, requestTimeout: scim.pageTimeout,
            maxAttempts: scim.maxAttempts)
        let pages = SCIMHTTPPages(usersURL: scim.usersURL, token: token, options: options)
        let reader = SCIMUserReader(
            source: pages, shape: SCIMUserShape(layout: feed.layout), pageSize: scim.pageSize)
        return SCIMPeople.snapshot(try reader.read(), layout: feed.layout, origin: pages.origin)
    }

    /// The bearer token from `token_file` (its first line; the file private to its owner) or
    /// `token_env`. It goes into the Authorization header and nowhere else.
    public static func token(_ scim: SCIMFeedConfig, environment: [String: String]) throws
        -> String {
        try SecretSetting.read(file: scim.tokenFile, variable: scim.tokenEnvironment, key: "token",
                               owner: "feed", setting: { "feed.\($0)" }, environment: environment)
    }
}

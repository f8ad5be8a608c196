/// A SCIM 2.0 service whose `/Users` is the HR feed (`feed.type: scim`).
///
/// The records are mapped through the same kind of layout as a CSV export: its columns
/// name SCIM attribute paths instead of header names (mappings/scim.yaml).
public struct SCIMFeedConfig: Sendable {
    /// The service's base URL, such as `https://hr.example.org/scim/v2`; `/Users` is added.
    public var url: String
    public var tokenFile: String?
    public var tokenEnvironment: String?
    /// A private CA for the service's certificate; verification is never turned off.
    public var caFile: String?
    public var allowPlaintext = false
    /// Resources asked for per page. Servers may return fewer; the read advances by what came.
    public var pageSize = 500
    /// Tries per page, retries of 429 and 5xx answers included.
    public var maxAttempts = 4
    /// Seconds one page may take.
    public var pageTimeout = 120.0

    public init(url: String) {
        self.url = url
    }

    /// The URL of the Users endpoint, with no trailing slash doubled.
    public var usersURL: String {
        (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/Users"
    }
}

extension SCIMFeedConfig {
    /// Why this URL must not be used, or nil: https, or plain http to loopback only unless
    /// `allow_plaintext` says otherwise; no credentials or query in it.
    public var transportProblem: String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            return "feed.url must start with https:// (or http:// to this machine), found '\(url)'"
        }
        let authority = lower.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }
        guard !authority.contains("@") else {
            return
                "feed.url must not hold a user name or token; "
                + "put the token in token_file or token_env"
        }
        guard !lower.contains("?"), !lower.contains("#") else {
            return "feed.url is the service's base URL, without a query or fragment; found '\(url)'"
        }
        guard lower.hasPrefix("http://"), !allowPlaintext else { return nil }
        guard DirectoryConfig.isLoopback(host: DirectoryConfig.host(of: lower)) else {
            return
                "feed.url \(url) is plain HTTP to another host: the token would cross the network "
                + "in clear. Use https:// (or, only on a trusted network, allow_plaintext: true)"
        }
        return nil
    }
}

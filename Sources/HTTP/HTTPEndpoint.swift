import Loopback

/// The few facts about a URL that policy needs, read without a URL library so that the answer
/// is the same on every platform.
public enum HTTPEndpoint {
    /// Why this URL may not be used, or nil. Plain http:// sends tokens in clear text, so it is
    /// allowed only to this machine unless the site says otherwise in its config.
    public static func plaintextProblem(url: String, allowPlaintext: Bool) -> String? {
        guard let parts = URLParts(url) else {
            return "'\(displayed(url))' is not an http:// or https:// URL"
        }
        if parts.scheme == "https" || allowPlaintext || isLoopback(parts.host) {
            return nil
        }
        return "\(displayed(url)) is plain http to \(parts.host), which would send credentials "
            + "in clear text; use https://, or set allow_plaintext: true if the network is trusted"
    }

    /// The URL as it may appear in logs and errors: no user info, no query, no fragment.
    public static func displayed(_ url: String) -> String {
        guard let parts = URLParts(url) else {
            return String(url.prefix { $0 != "?" && $0 != "#" && $0 != "@" })
        }
        return "\(parts.scheme)://\(parts.authority)\(parts.path)"
    }

    public static func isLoopback(_ host: String) -> Bool {
        LoopbackHost.matches(host)
    }
}

/// scheme://[user@]host[:port]/path?query#fragment, split once.
struct URLParts {
    let scheme: String
    let host: String

    /// host and port as written, without user info.
    let authority: String

    let path: String

    init?(_ url: String) {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }

        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }

        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        guard !host.isEmpty else { return nil }

        let tail = rest[authorityEnd...]
        self.scheme = scheme
        self.host = String(host)
        self.authority = String(authority)
        self.path = String(tail.prefix { $0 != "?" && $0 != "#" })
    }
}

import YAML

extension ConfigLoader {
    /// `feed: {type: scim, url, token_file | token_env, ca_file, page_size, layout, attributes}`.
    ///
    /// `attributes` puts a field on another SCIM attribute than the layout's, typically the
    /// hire and end dates and the job code a site keeps in its own schema extension.
    static func loadSCIMFeed(_ node: YAMLReader, folder: String) throws -> FeedConfig {
        try node.rejectUnknownKeys(allowed: ConfigKeys.scimFeed)
        var scim = SCIMFeedConfig(url: try node.string("url"))
        if let file = try node.optional("token_file")?.string() {
            scim.tokenFile = resolve(file, in: folder)
        }
        scim.tokenEnvironment = try node.optional("token_env")?.string()
        guard (scim.tokenFile == nil) != (scim.tokenEnvironment == nil) else {
            throw node.error(
                "needs token_file or token_env (one of them); "
                    + "a token is never written in the config"
            )
        }
        if let file = try node.optional("ca_file")?.string() {
            scim.caFile = resolve(file, in: folder)
        }
        scim.allowPlaintext = try node.optional("allow_plaintext")?.bool() ?? false
        if let problem = scim.transportProblem {
            throw try node.require("url").error("is not acceptable: \(problem)")
        }
        scim.pageSize = try positive(node.optional("page_size"), upTo: 10_000) ?? scim.pageSize
        scim.maxAttempts = try positive(node.optional("max_attempts"), upTo: 10) ?? scim.maxAttempts
        scim.pageTimeout = try node.optional("page_timeout")?.double() ?? scim.pageTimeout

        var layout = try loadLayout(resolve(try node.string("layout"), in: folder))
        if let attributes = try node.optionalMapping("attributes") {
            try attributes.rejectUnknownKeys(allowed: Set(HRField.allCases.map(\.rawValue)))
            for (key, value) in try attributes.entries() {
                layout.columns[HRField(rawValue: key)!] = try value.string()
            }
        }
        var feed = FeedConfig(path: scim.usersURL, layout: layout)
        feed.scim = scim
        return try loadFeedLimits(node, into: feed)
    }

    private static func positive(_ node: YAMLReader?, upTo limit: Int) throws -> Int? {
        guard let node else { return nil }
        let value = try node.int()
        guard (1...limit).contains(value) else {
            throw node.error("must be from 1 to \(limit), found \(value)")
        }
        return value
    }
}

import Foundation
import YAML

/// Reads idsync.yaml and the mapping files it names into a `Config`.
///
/// Paths in a file are relative to that file's folder. Every error names the file, the
/// line and the key, and says what would be accepted.
public enum ConfigLoader {
    public static func load(path: String) throws -> Config {
        try loadRecordingFiles(path: path, loadSite)
    }

    private static func loadSite(path: String) throws -> Config {
        let root = try reader(path)
        try root.rejectUnknownKeys(allowed: ConfigKeys.root)
        let folder = (path as NSString).deletingLastPathComponent
        let site = try root.require("site")
        try site.rejectUnknownKeys(allowed: ConfigKeys.site)
        let directory = try loadDirectory(root.require("directory"), folder: folder)
        var config = Config(
            file: path,
            timeZone: try zone(site.require("time_zone")),
            locationZones: try loadLocations(site.optionalMapping("locations")),
            feed: try loadFeed(root.require("feed"), folder: folder),
            directory: directory,
            mapping: try loadMapping(resolve(root.string("mapping"), in: folder),
                                     people: directory.people),
            roles: try loadRoles(resolve(root.string("roles"), in: folder)),
            policy: try loadPolicy(root.optionalMapping("policy")),
            guards: try loadGuards(root.optionalMapping("guards")),
            protected: try loadProtected(root.optionalMapping("protected"), base: directory.base),
            auditPath: try filePath(root.require("audit"), ConfigKeys.audit, in: folder),
            lockPath: try filePath(root.require("lock"), ConfigKeys.lock, in: folder))
        config.exceptions = try loadExceptions(
            root.optionalMapping("exceptions"), folder: folder, roles: config.roles)
        config.credentials = try loadCredentials(root.optionalMapping("disable"))
        config.monitoring = try loadMonitoring(root.optionalMapping("monitoring"), folder: folder)
        let ownSecrets = [directory.passwordEnvironment, config.feed.scim?.tokenEnvironment]
        config.mfa = try loadMFA(root.optionalMapping("mfa"), folder: folder,
                                 secretVariables: Set(ownSecrets.compactMap { $0 }))
        config.terminate = try loadTerminate(root.optionalMapping("terminate"))
        config.report = try loadReport(root.optionalMapping("report"))
        config.approval = try loadApproval(root.optionalMapping("approval"))
        return config
    }

    /// `audit:` and `lock:`, blocks of one key, `path`.
    private static func filePath(_ node: YAMLReader, _ keys: Set<String>, in folder: String) throws
        -> String {
        try node.rejectUnknownKeys(allowed: keys)
        return resolve(try node.string("path"), in: folder)
    }

    static func reader(_ path: String) throws -> YAMLReader {
        YAMLReader(try protectedDocument(path), file: path)
    }

    static func resolve(_ path: String, in folder: String) -> String {
        guard !path.hasPrefix("/"), !folder.isEmpty else { return path }
        return collapse((folder as NSString).appendingPathComponent(path))
    }

    /// Removes `.` and `name/..` steps so reports show `sample/hr/day1.csv`, not
    /// `demo/../sample/hr/day1.csv`; leading `..` steps stay.
    static func collapse(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    static func zone(_ node: YAMLReader) throws -> TimeZone {
        let name = try node.string()
        guard let zone = TimeZone(identifier: name) else {
            throw node.error("is not a time zone identifier such as America/New_York, found '\(name)'")
        }
        return zone
    }

    static func dn(_ node: YAMLReader) throws -> DistinguishedName {
        let text = try node.string()
        do {
            return try DistinguishedName(parsing: text)
        } catch {
            throw node.error("is not a DN: \(error)")
        }
    }

    private static func loadLocations(_ node: YAMLReader?) throws -> [String: TimeZone] {
        var zones: [String: TimeZone] = [:]
        for (name, value) in try node?.entries() ?? [] {
            zones[name.lowercased()] = try zone(value)
        }
        return zones
    }

    private static func loadFeed(_ node: YAMLReader, folder: String) throws -> FeedConfig {
        let type = try node.optional("type")?.string() ?? "csv"
        guard type == "csv" || type == "scim" else {
            throw try node.require("type").error("must be csv or scim, found '\(type)'")
        }
        if type == "scim" { return try loadSCIMFeed(node, folder: folder) }
        try node.rejectUnknownKeys(allowed: ConfigKeys.csvFeed)
        var feed = FeedConfig(path: resolve(try node.string("path"), in: folder),
                              layout: try loadLayout(resolve(try node.string("layout"), in: folder)))
        return try loadFeedLimits(node, into: feed)
    }

    static func loadFeedLimits(_ node: YAMLReader, into feed: FeedConfig) throws -> FeedConfig {
        var feed = feed
        feed.maxBadRows = try node.optional("max_bad_rows")?.int(atLeast: 0) ?? feed.maxBadRows
        feed.maxAge = try node.optional("max_age").map(duration)
        if let missing = try node.optional("missing_person") {
            feed.missingPerson = try choice(missing, FeedConfig.MissingPerson.init(rawValue:), "leaver, report")
        }
        return feed
    }

    static func choice<T>(_ node: YAMLReader, _ make: (String) -> T?, _ allowed: String) throws -> T {
        let text = try node.string()
        guard let value = make(text) else { throw node.error("must be one of \(allowed), found '\(text)'") }
        return value
    }

    /// A secret comes from one place, `<key>_file` or `<key>_env`: with both, a site could not
    /// tell which one idsync used (the file used to win silently).
    static func refuseSecondSecretSource(_ node: YAMLReader, _ key: String) throws {
        guard try node.optional("\(key)_file") != nil,
              let variable = try node.optional("\(key)_env") else { return }
        throw variable.error("is given as well as \(key)_file; give one of them")
    }

    private static func loadDirectory(_ node: YAMLReader, folder: String) throws -> DirectoryConfig {
        try node.rejectUnknownKeys(allowed: ConfigKeys.directory)
        let flavour = try node.optional("flavour")?.string() ?? "openldap"
        guard flavour == "openldap" else {
            throw try node.require("flavour").error("must be openldap (389-DS and AD come later), found '\(flavour)'")
        }
        var config = DirectoryConfig(url: try node.string("url"), bindDN: try node.string("bind_dn"),
                                     base: try dn(node.require("base")), people: try dn(node.require("people")),
                                     groups: try dn(node.require("groups")),
                                     placeholderMember: try dn(node.require("placeholder_member")))
        try refuseSecondSecretSource(node, "password")
        if let file = try node.optional("password_file")?.string() { config.passwordFile = resolve(file, in: folder) }
        config.passwordEnvironment = try node.optional("password_env")?.string()
        guard config.passwordFile != nil || config.passwordEnvironment != nil else {
            throw node.error("needs password_file or password_env; a password is never written in the config")
        }
        if let file = try node.optional("ca_file")?.string() { config.caFile = resolve(file, in: folder) }
        config.startTLS = try node.optional("start_tls")?.bool() ?? false
        config.allowPlaintext = try node.optional("allow_plaintext")?.bool() ?? false
        config.passwordPolicy = try node.optional("password_policy").map(dn)
        config.stateAttribute = try node.optional("state_attribute")?.string() ?? config.stateAttribute
        if let stateClass = try node.optional("state_object_class")?.string() {
            config.stateObjectClass = stateClass == "none" ? nil : stateClass
        }
        config.objectClasses = try node.optional("object_classes")?.stringList() ?? config.objectClasses
        config.pageSize = try node.optional("page_size")?.int(atLeast: 1) ?? config.pageSize
        config.writeWindow = try node.optional("write_window")?.int(atLeast: 1) ?? config.writeWindow
        if let problem = config.transportProblem {
            throw try node.require("url").error("is not acceptable: \(problem)")
        }
        guard config.people.isDescendant(of: config.base) || config.people == config.base else {
            throw try node.require("people").error("must lie inside base \(config.base)")
        }
        return config
    }
}

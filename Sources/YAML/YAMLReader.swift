/// A node together with the file it came from and the key path that reached it, so every
/// error it throws reads like `idsync.yaml:7:12: 'guards.max_leavers' must be …`.
///
///     let config = YAMLReader(try YAMLDocument.load(path: "idsync.yaml"), file: "idsync.yaml")
///     let url = try config.require("directory").string("url")
///     let limit = try config.optional("guards")?.optional("max_leavers")?.int() ?? 10
public struct YAMLReader: Sendable {
    public let node: YAMLNode
    public let file: String
    /// Dotted keys and `[index]` from the root, such as `roles[2].groups`; empty at the root.
    public let path: String

    public init(_ node: YAMLNode, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// The value under `key`. Throws `.missingKey` when the key is absent, or given with no
    /// value (at its own line, saying so), and `.wrongType` when this node is not a mapping.
    public func require(_ key: String) throws -> YAMLReader {
        if let value = try optional(key) { return value }

        let given = try entries().first { $0.key == key }
        if let given, case .null(let mark) = given.value.node {
            throw error(.missingKey, "'\(joined(key))' is given with nothing under it; give its "
                            + "value after the colon, or its settings indented below it",
                        at: mark)
        }
        throw error(.missingKey, "\(subject) needs the key '\(key)'", at: node.mark)
    }

    /// The value under `key`, or nil when the key is absent or has no value (`key:` or `~`).
    /// Throws `.wrongType` when this node is not a mapping.
    public func optional(_ key: String) throws -> YAMLReader? {
        let entries = try self.entries()
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        guard case .null = entry.value.node else { return entry.value }

        return nil
    }

    /// The block of settings under `key`, or nil when the key is absent. A key given with
    /// nothing under it throws `.missingKey` at its line: read as absent, an empty
    /// `noncompliant_members:` or `match:` would silently mean no policy or every person,
    /// which is seldom what its writer meant. An explicit `{}` is taken as written.
    public func optionalMapping(_ key: String) throws -> YAMLReader? {
        try optionalGiven(key, fix: "write its settings indented below it, or delete the line")
    }

    /// The list under `key`, or nil when the key is absent. A key given with nothing after
    /// it throws `.missingKey` at its line, as `optionalMapping` does: an empty
    /// `credentials:` or `redact:` silently meant none. An explicit `[]` is taken as written;
    /// callers refuse it where an empty list means nothing sensible.
    public func optionalList(_ key: String) throws -> YAMLReader? {
        try optionalGiven(key, fix: "list its values (such as [a, b]), or delete the line")
    }

    /// The single value under `key`, such as a path, or nil when the key is absent; given
    /// with nothing after it, it throws `.missingKey` at its line.
    public func optionalScalar(_ key: String) throws -> YAMLReader? {
        try optionalGiven(key, fix: "give its value after the colon, or delete the line")
    }

    private func optionalGiven(_ key: String, fix: String) throws -> YAMLReader? {
        let entries = try self.entries()
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        guard case .null(let mark) = entry.value.node else { return entry.value }

        throw error(.missingKey, "'\(joined(key))' is given with nothing under it; \(fix)",
                    at: mark)
    }

    /// The entries of a mapping in file order; an empty value (`.null`) counts as no entries.
    /// Throws `.wrongType` for a scalar or a list.
    public func entries() throws -> [(key: String, value: YAMLReader)] {
        switch node {
        case .mapping(let entries, _, _):
            return entries.map { ($0.key, child($0.value, path: joined($0.key))) }
        case .null:
            return []
        default:
            throw mismatch("a mapping of keys and values")
        }
    }

    /// The items of a list. A single value stands for a list of one, and `.null` for none.
    public func elements() -> [YAMLReader] {
        switch node {
        case .sequence(let items, _):
            return items.enumerated().map { child($1, path: "\(path)[\($0)]") }
        case .null:
            return []
        default:
            return [self]
        }
    }

    /// An error at this node, for checks the caller makes itself (ranges, formats, rules).
    /// `message` follows the path: `error("must be an ldap:// or ldaps:// URL")`.
    public func error(_ message: String) -> YAMLError {
        error(.wrongType, "\(subject) \(message)", at: node.mark)
    }

    func error(_ code: YAMLError.Code, _ message: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(code, file: file, at: mark, message)
    }

    /// "'path' must be <expected>, found <what is there>".
    func mismatch(_ expected: String) -> YAMLError {
        error(.wrongType, "\(subject) must be \(expected), found \(node.foundDescription)",
                     at: node.mark)
    }

    /// How messages name this node: its quoted path, or "the file" at the root.
    private var subject: String {
        path.isEmpty ? "the file" : "'\(path)'"
    }

    private func child(_ node: YAMLNode, path: String) -> YAMLReader {
        YAMLReader(node, file: file, path: path)
    }

    private func joined(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

// MARK: - Unknown keys

extension YAMLReader {
    /// Throws `.unknownKey` for the first key not in `allowed`, at that key's line, suggesting
    /// the closest allowed key when one is near enough to be a typo.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        guard case .mapping(let entries, _, let keyMarks) = node else {
            _ = try self.entries()
            return
        }
        for (entry, keyMark) in zip(entries, keyMarks) where !allowed.contains(entry.key) {
            let owner = path.isEmpty ? "" : " in '\(path)'"
            var message = "unknown key '\(entry.key)'\(owner)"
            if let suggestion = EditDistance.closest(to: entry.key, among: allowed) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; the keys allowed here are " + allowed.sorted().joined(separator: ", ")
            }
            throw error(.unknownKey, message, at: keyMark)
        }
    }
}

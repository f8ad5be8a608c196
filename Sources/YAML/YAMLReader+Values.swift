// Typed values. Each throws `.wrongType` at the value's position, naming the key path,
// the expected kind and what was found.
extension YAMLReader {
    /// Scalar text in any style; an empty quoted scalar ("") is the empty string.
    public func string() throws -> String {
        guard case .scalar(let text, _, _) = node else { throw mismatch("text") }

        return text
    }

    /// A plain `true`/`false`, `yes`/`no` or `on`/`off`, in any case.
    /// A quoted value is text by intent and is refused, with a hint to drop the quotes.
    public func bool() throws -> Bool {
        guard case .scalar(let text, let quoted, _) = node else { throw mismatch("true or false") }
        guard !quoted else { throw mismatch("true or false without quotes") }

        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw mismatch("true or false")
        }
    }

    /// A whole number in decimal, with an optional sign, quoted or not.
    public func int() throws -> Int {
        guard case .scalar(let text, _, _) = node,
              text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 || $0 == 0x2B || $0 == 0x2D }),
              let value = Int(text)
        else { throw mismatch("a whole number") }

        return value
    }

    /// A whole number no smaller than `minimum`: counts, limits and sizes, where a negative
    /// value would load and then stop every run.
    public func int(atLeast minimum: Int) throws -> Int {
        let value = try int()
        guard value >= minimum else { throw error("must be \(minimum) or more, found \(value)") }

        return value
    }

    /// A finite decimal number such as `0.25`, `3` or `1e-3`, quoted or not.
    public func double() throws -> Double {
        let allowed = Set("0123456789+-.eE".utf8)
        guard case .scalar(let text, _, _) = node, text.utf8.allSatisfy(allowed.contains),
              let value = Double(text), value.isFinite
        else { throw mismatch("a number") }

        return value
    }

    /// A list of scalars, or one scalar standing for a list of one; no value gives `[]`.
    public func stringList() throws -> [String] {
        try elements().map { item in
            guard case .scalar(let text, _, _) = item.node else {
                throw item.mismatch(item.path == path ? "text or a list of text" : "text")
            }
            return text
        }
    }

    /// The value under `key` as text; see `require(_:)` and `string()`.
    public func string(_ key: String) throws -> String { try require(key).string() }

    /// The value under `key` as a boolean; see `require(_:)` and `bool()`.
    public func bool(_ key: String) throws -> Bool { try require(key).bool() }

    /// The value under `key` as a whole number; see `require(_:)` and `int()`.
    public func int(_ key: String) throws -> Int { try require(key).int() }

    /// The value under `key` as a number; see `require(_:)` and `double()`.
    public func double(_ key: String) throws -> Double { try require(key).double() }

    /// The value under `key` as a list of text; see `require(_:)` and `stringList()`.
    public func stringList(_ key: String) throws -> [String] { try require(key).stringList() }
}

// Typed lookups by dotted path straight from a node, for callers that hold no reader.
extension YAMLNode {
    /// The text at `path` (dotted keys, such as `directory.url`). Throws `YAMLError` naming
    /// `file`, the line, and the missing key or the wrong kind of value.
    public func string(_ path: String, file: String) throws -> String {
        try reader(at: path, file: file).string()
    }

    /// The boolean at `path`; plain true/false/yes/no/on/off only.
    public func bool(_ path: String, file: String) throws -> Bool {
        try reader(at: path, file: file).bool()
    }

    /// The whole number at `path`.
    public func int(_ path: String, file: String) throws -> Int {
        try reader(at: path, file: file).int()
    }

    /// The finite number at `path`.
    public func double(_ path: String, file: String) throws -> Double {
        try reader(at: path, file: file).double()
    }

    /// The list of text at `path`: a sequence of scalars, or a single scalar.
    public func stringList(_ path: String, file: String) throws -> [String] {
        try reader(at: path, file: file).stringList()
    }

    private func reader(at path: String, file: String) throws -> YAMLReader {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return try keys.reduce(YAMLReader(self, file: file)) { try $0.require($1) }
    }
}

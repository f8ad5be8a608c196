/// A position in a YAML file: 1-based line and column, columns counted in characters.
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// One node of a parsed YAML document.
///
/// libyaml resolves no types, so every value is text until a typed accessor reads it.
/// `quoted` is true for any style other than plain (single, double, literal `|`, folded `>`):
/// such a value is text by intent and never reads as a boolean.
public indirect enum YAMLNode: Sendable {
    case scalar(String, quoted: Bool, YAMLMark)
    case sequence([YAMLNode], YAMLMark)
    /// Entries keep the order of the file. Keys are scalars and unique (the parser checks).
    /// `keyMarks` has one mark per entry, where its key stands, for messages about keys.
    case mapping([(key: String, value: YAMLNode)], YAMLMark, keyMarks: [YAMLMark])
    /// An empty value, or plain `~`, `null`, `Null`, `NULL`.
    case null(YAMLMark)
}

extension YAMLNode {
    /// Where the node starts in its file. An empty mapping value is marked at its key.
    public var mark: YAMLMark {
        switch self {
        case .scalar(_, _, let mark), .sequence(_, let mark), .mapping(_, let mark, _),
             .null(let mark):
            return mark
        }
    }

    /// The value under `key` when this node is a mapping; nil for a missing key or another kind.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries, _, _) = self else { return nil }

        return entries.first { $0.key == key }?.value
    }

    /// The keys of a mapping in file order; empty for any other kind of node.
    public var keys: [String] {
        guard case .mapping(let entries, _, _) = self else { return [] }

        return entries.map(\.key)
    }

    /// Words for messages that say what was found instead of what was expected.
    var foundDescription: String {
        switch self {
        case .scalar(let text, let quoted, _):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return quoted ? "the quoted text \"\(shown)\"" : "'\(shown)'"
        case .sequence:
            return "a list"
        case .mapping:
            return "a mapping"
        case .null:
            return "no value"
        }
    }
}

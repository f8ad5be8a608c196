/// Builds one `YAMLNode` tree from libyaml's events, checking what the events alone allow:
/// one document per file, scalar keys, and no key twice in a mapping.
struct YAMLTreeBuilder {
    private let events: [YAMLEvent]
    private let file: String
    private var index = 0

    init(events: [YAMLEvent], file: String) {
        self.events = events
        self.file = file
    }

    /// The document's root; `.null` at 1:1 for a stream with no document (only comments).
    mutating func document() throws -> YAMLNode {
        guard case .documentStart = next() else { return .null(YAMLMark(line: 1, column: 1)) }

        let root = try node(emptyAt: nil)
        _ = next()

        if case .documentStart(let mark) = next() {
            throw YAMLError(.unsupported, file: file, at: mark,
                            "a second YAML document starts here; idsync reads one document "
                                + "per file, so remove the '---' or split the file")
        }
        return root
    }

    /// The next node. A plain empty scalar becomes `.null`, marked at `emptyAt` when given,
    /// because libyaml marks an empty value at the token after it, often on the next line.
    private mutating func node(emptyAt keyMark: YAMLMark?) throws -> YAMLNode {
        switch next() {
        case .scalar(let text, let plain, let mark):
            return scalar(text, plain: plain, at: text.isEmpty && plain ? keyMark ?? mark : mark)
        case .sequenceStart(let mark):
            return try sequence(at: mark)
        case .mappingStart(let mark):
            return try mapping(at: mark)
        default:
            throw YAMLError(.syntax, file: file, at: nil, "libyaml sent events out of order")
        }
    }

    private func scalar(_ text: String, plain: Bool, at mark: YAMLMark) -> YAMLNode {
        let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
        guard plain && nulls.contains(text) else { return .scalar(text, quoted: !plain, mark) }

        return .null(mark)
    }

    private mutating func sequence(at mark: YAMLMark) throws -> YAMLNode {
        var items: [YAMLNode] = []
        while !endOfCollection() {
            items.append(try node(emptyAt: nil))
        }
        return .sequence(items, mark)
    }

    private mutating func mapping(at mark: YAMLMark) throws -> YAMLNode {
        var entries: [(key: String, value: YAMLNode)] = []
        var keyMarks: [YAMLMark] = []
        var firstSeen: [String: YAMLMark] = [:]
        while !endOfCollection() {
            let (key, keyMark) = try self.key()
            if let first = firstSeen[key] {
                throw YAMLError(.duplicateKey, file: file, at: keyMark,
                                "the key '\(key)' appears twice in one mapping, at "
                                    + YAMLTreeBuilder.places(first, keyMark) + "; keep only one")
            }
            firstSeen[key] = keyMark

            entries.append((key, try node(emptyAt: keyMark)))
            keyMarks.append(keyMark)
        }
        return .mapping(entries, mark, keyMarks: keyMarks)
    }

    /// "line 1 and line 3", or "line 2, columns 4 and 10" for two on one line (`{a: 1, a: 2}`).
    static func places(_ first: YAMLMark, _ second: YAMLMark) -> String {
        guard first.line == second.line else { return "line \(first.line) and line \(second.line)" }
        return "line \(first.line), columns \(first.column) and \(second.column)"
    }

    /// A mapping key: any non-empty scalar, taken as written (so `null:` is the key "null").
    private mutating func key() throws -> (String, YAMLMark) {
        let event = next()
        if case .scalar(let text, let plain, let mark) = event, !(text.isEmpty && plain) {
            return (text, mark)
        }

        index -= 1
        let found = try node(emptyAt: nil)
        throw YAMLError(.unsupported, file: file, at: found.mark,
                        "a mapping key must be text, found \(found.foundDescription)")
    }

    private mutating func endOfCollection() -> Bool {
        guard case .collectionEnd = events[index] else { return false }

        index += 1
        return true
    }

    private mutating func next() -> YAMLEvent {
        defer { index = min(index + 1, events.count - 1) }
        return events[index]
    }
}

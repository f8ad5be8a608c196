import CYAML

/// A libyaml event copied into Swift, with the C memory already released.
enum YAMLEvent {
    case documentStart(YAMLMark)
    case documentEnd
    case scalar(text: String, plain: Bool, YAMLMark)
    case sequenceStart(YAMLMark)
    case mappingStart(YAMLMark)
    case collectionEnd
    case streamEnd
}

/// Runs libyaml's event parser over a whole input and returns its events in order.
enum LibYAMLEvents {
    /// Parses `bytes` to the end of the stream.
    ///
    /// Throws `YAMLError.syntax` with libyaml's position and problem, and `.unsupported` for
    /// anchors, aliases and tags, which idsync configuration does not use.
    static func events(in bytes: [UInt8], file: String) throws -> [YAMLEvent] {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(.syntax, file: file, at: nil, "libyaml could not start (out of memory)")
        }
        defer { yaml_parser_delete(parser) }

        // libyaml keeps the input pointer, so every event is read inside this closure.
        return try bytes.withUnsafeBufferPointer { input in
            yaml_parser_set_input_string(parser, input.baseAddress, input.count)
            return try drain(parser, bytes: bytes, file: file)
        }
    }

    private static func drain(
        _ parser: UnsafeMutablePointer<yaml_parser_t>, bytes: [UInt8], file: String
    ) throws -> [YAMLEvent] {
        var events: [YAMLEvent] = []
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else {
                throw syntaxError(parser.pointee, bytes: bytes, file: file)
            }
            defer { yaml_event_delete(&event) }

            guard let translated = try translate(event, file: file) else { continue }
            events.append(translated)
            if case .streamEnd = translated { return events }
        }
    }

    private static func translate(_ event: yaml_event_t, file: String) throws -> YAMLEvent? {
        let mark = YAMLMark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_SCALAR_EVENT:
            return try scalar(of: event, at: mark, file: file)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            try rejectDecorations(anchor: start.anchor, tag: start.tag, at: mark, file: file)
            return .sequenceStart(mark)
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            try rejectDecorations(anchor: start.anchor, tag: start.tag, at: mark, file: file)
            return .mappingStart(mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            return .collectionEnd
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            throw YAMLError(.unsupported, file: file, at: mark,
                            "the alias '*\(name)' is not supported; write the value out in full")
        case YAML_STREAM_END_EVENT:
            return .streamEnd
        default:
            return nil
        }
    }

    private static func scalar(
        of event: yaml_event_t, at mark: YAMLMark, file: String
    ) throws -> YAMLEvent {
        let data = event.data.scalar
        try rejectDecorations(anchor: data.anchor, tag: data.tag, at: mark, file: file)

        let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length),
                          as: UTF8.self)
        return .scalar(text: text, plain: data.style == YAML_PLAIN_SCALAR_STYLE, mark)
    }

    /// Anchors (`&name`) and tags (`!!str`) would make configuration harder to read than it
    /// needs to be; quoting covers what tags would be used for.
    private static func rejectDecorations(
        anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?,
        at mark: YAMLMark, file: String
    ) throws {
        if let anchor {
            throw YAMLError(.unsupported, file: file, at: mark,
                            "the anchor '&\(String(cString: anchor))' is not supported; "
                                + "write the value out in full where it is used")
        }
        if let tag {
            throw YAMLError(.unsupported, file: file, at: mark,
                            "the tag '\(String(cString: tag))' is not supported; "
                                + "quote the value if it must stay text")
        }
    }
}

// MARK: - Syntax errors

extension LibYAMLEvents {
    /// Turns libyaml's problem into an error at its position, with a hint for the common cases.
    private static func syntaxError(
        _ parser: yaml_parser_t, bytes: [UInt8], file: String
    ) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "the text is not valid YAML"
        guard parser.error != YAML_READER_ERROR else {
            let line = 1 + bytes.prefix(Int(parser.problem_offset)).count { $0 == 0x0A }
            return YAMLError(.syntax, file: file, at: YAMLMark(line: line, column: 1),
                             "\(problem); save the file as UTF-8")
        }

        let mark = YAMLMark(parser.problem_mark)
        var message = problem
        if character(at: mark, in: bytes) == "\t" {
            message += "; indent with spaces, YAML does not allow tabs there"
        }
        if let context = parser.context {
            let start = YAMLMark(parser.context_mark)
            message += " (\(String(cString: context)) that starts at line \(start.line), "
                + "column \(start.column))"
        }
        return YAMLError(.syntax, file: file, at: mark, message)
    }

    /// The character at a mark; libyaml counts columns in characters, not bytes.
    private static func character(at mark: YAMLMark, in bytes: [UInt8]) -> Unicode.Scalar? {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard mark.line <= lines.count else { return nil }

        let scalars = Array(String(decoding: lines[mark.line - 1], as: UTF8.self).unicodeScalars)
        return mark.column <= scalars.count ? scalars[mark.column - 1] : nil
    }
}

extension YAMLMark {
    /// libyaml's marks are 0-based.
    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

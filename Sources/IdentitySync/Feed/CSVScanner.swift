/// Splits CSV bytes into records (RFC 4180), one byte at a time, tracking physical lines.
///
/// A line break is CRLF, LF or a lone CR, mixed freely. Line breaks inside a quoted field are
/// kept exactly as written (CRLF stays CRLF). Completely empty lines between records are
/// skipped; a line of only delimiters is a record of empty fields.
struct CSVScanner {
    private static let quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    private let bytes: UnsafeBufferPointer<UInt8>
    private let delimiter: UInt8
    private let file: String
    private var index: Int
    private var line = 1
    private var scratch: [UInt8] = []

    /// `start` skips a byte order mark the caller has seen.
    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, delimiter: UInt8, file: String) {
        self.bytes = bytes
        self.index = start
        self.delimiter = delimiter
        self.file = file
    }

    /// The next record, or nil at the end of the input. `capacity` sizes its field array.
    mutating func nextRecord(capacity: Int) throws -> CSVRow? {
        skipBlankLines()
        guard index < bytes.count else { return nil }

        let start = line
        var fields: [String] = []
        fields.reserveCapacity(capacity)
        while true {
            fields.append(try field())
            guard index < bytes.count else { break }

            let byte = bytes[index]
            index += 1
            guard byte == delimiter else { break }
        }
        endLine(after: bytes[index - 1])
        return CSVRow(line: start, fields: fields)
    }

    // MARK: Fields

    private mutating func field() throws -> String {
        guard index < bytes.count, bytes[index] == Self.quote else { return try unquotedField() }

        return try quotedField()
    }

    /// Bytes up to the next delimiter or line break; a quote among them is an error.
    private mutating func unquotedField() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == delimiter || byte == Self.lf || byte == Self.cr { break }
            if byte == Self.quote { throw strayQuoteInside() }
            index += 1
        }
        return try text(UnsafeBufferPointer(rebasing: bytes[start..<index]), line: line)
    }

    /// From an opening quote to its closing quote, turning each `""` into `"`.
    private mutating func quotedField() throws -> String {
        let openedAt = line
        scratch.removeAll(keepingCapacity: true)
        index += 1
        var segment = index
        while true {
            try skipToQuote(openedAt: openedAt)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<index]))
            index += 1

            // A doubled quote: its second half starts the next segment.
            guard index < bytes.count, bytes[index] == Self.quote else { break }
            segment = index
            index += 1
        }

        try expectFieldEnd()
        return try scratch.withUnsafeBufferPointer { try text($0, line: openedAt) }
    }

    /// Moves to the next quote, counting the line breaks passed; throws if none is left.
    private mutating func skipToQuote(openedAt: Int) throws {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote { return }
            if byte == Self.lf || byte == Self.cr && !nextIs(Self.lf) { line += 1 }
            index += 1
        }

        throw CSVError(.unterminatedQuote, file: file, line: openedAt,
                       "a quoted field opened here never closes; check for a stray \" in that "
                           + "row, or for a file cut off before its end")
    }

    /// After a closing quote only a delimiter, a line break or the end of input may follow.
    private func expectFieldEnd() throws {
        guard index < bytes.count else { return }

        let byte = bytes[index]
        guard byte != delimiter && byte != Self.lf && byte != Self.cr else { return }

        throw CSVError(.strayQuote, file: file, line: line,
                       "text follows the closing quote of a quoted field; inside quotes, "
                           + "write a quote as two (\"\")")
    }

    private func strayQuoteInside() -> CSVError {
        CSVError(.strayQuote, file: file, line: line,
                 "a quote (\") appears inside an unquoted field; put the whole field in quotes "
                     + "and write the quote as two (\"\")")
    }

    /// Field bytes as a String, refusing invalid UTF-8.
    private func text(_ field: UnsafeBufferPointer<UInt8>, line: Int) throws -> String {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw CSVError(.invalidUTF8, file: file, line: line,
                           "a field is not valid UTF-8; export the file as UTF-8")
        }

        return text
    }

    // MARK: Lines

    private mutating func skipBlankLines() {
        while index < bytes.count, bytes[index] == Self.lf || bytes[index] == Self.cr {
            index += 1
            endLine(after: bytes[index - 1])
        }
    }

    /// Counts a line break whose first byte was just consumed, taking the LF of a CRLF too.
    /// Any other byte (a delimiter at the end of input) ends no line.
    private mutating func endLine(after byte: UInt8) {
        guard byte == Self.lf || byte == Self.cr else { return }

        if byte == Self.cr && index < bytes.count && bytes[index] == Self.lf {
            index += 1
        }
        line += 1
    }

    private func nextIs(_ byte: UInt8) -> Bool {
        index + 1 < bytes.count && bytes[index + 1] == byte
    }
}

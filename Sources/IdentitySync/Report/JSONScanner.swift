import Foundation

/// Turns the bytes of a JSON text into tokens (RFC 8259), refusing anything the RFC refuses:
/// bytes that are not UTF-8, a control character or a lone surrogate in a string, an escape
/// the RFC does not define, a leading zero, a missing or trailing comma, a byte order mark,
/// anything after the value. Numbers with a fraction or an exponent are refused too: the
/// documents read here are written by SortedJSON, which writes none.
struct JSONScanner {
    struct Failure: Error {
        let offset: Int
        let text: String
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0
    var tokens: [JSONToken] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        // A saved plan has about one token for every 22 bytes. Pages reserved and never
        // written take no memory, and growing the array would copy every token.
        tokens.reserveCapacity(bytes.count / 8 + 16)
    }

    /// Scans the one value of the document and the white space around it.
    mutating func scanDocument() throws {
        var open: [Int] = []
        var expectKey = false
        skipSpace()
        while true {
            if expectKey { try scanKey() }
            if open.count == JSONTape.maximumDepth, position < bytes.count,
                bytes[position] == UInt8(ascii: "[") || bytes[position] == UInt8(ascii: "{")
            {
                throw fail("arrays and objects nested more than \(JSONTape.maximumDepth) deep")
            }
            if try scanValue() {
                open.append(tokens.count - 1)
                expectKey = tokens[open.last!].kind == .object
                continue
            }
            guard let container = try afterValue(&open) else { return }
            expectKey = tokens[container].kind == .object
        }
    }

    /// After a value: closes the containers it ends and returns the one whose next member
    /// or element follows a comma, or nil at the end of the document.
    private mutating func afterValue(_ open: inout [Int]) throws -> Int? {
        while true {
            skipSpace()
            guard let container = open.last else {
                guard position == bytes.count else { throw fail("more text after the JSON value") }
                return nil
            }
            let isObject = tokens[container].kind == .object
            let closing = UInt8(ascii: isObject ? "}" : "]")
            guard position < bytes.count else {
                throw fail("the text ends inside an \(isObject ? "object" : "array")")
            }
            let byte = bytes[position]
            position += 1
            if byte == closing {
                tokens[container].end = tokens.count
                open.removeLast()
                continue
            }
            guard byte == UInt8(ascii: ",") else {
                position -= 1
                throw fail("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
            guard tokens[container].count < UInt32.max else { throw fail("too many members") }
            tokens[container].count += 1
            skipSpace()
            return container
        }
    }

    /// A member's key and its colon.
    private mutating func scanKey() throws {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw fail(position < bytes.count ? "expected a key in double quotes" : "the text ends")
        }
        try scanString()
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw fail("expected ':' after the key")
        }
        position += 1
        skipSpace()
    }

    static let expectedValue =
        "expected a value (a string, integer, object, array, true, false or null)"

    /// Scans one value; true when it opened an array or object that has members to come.
    private mutating func scanValue() throws -> Bool {
        guard position < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return open(.object, closing: "}")
        case UInt8(ascii: "["): return open(.array, closing: "]")
        case UInt8(ascii: "\""): try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        case UInt8(ascii: "t"): try scanLiteral("true", .true)
        case UInt8(ascii: "f"): try scanLiteral("false", .false)
        case UInt8(ascii: "n"): try scanLiteral("null", .null)
        default: throw fail(JSONScanner.expectedValue)
        }
        return false
    }

    private mutating func open(_ kind: JSONToken.Kind, closing: Unicode.Scalar) -> Bool {
        let index = tokens.count
        tokens.append(JSONToken(kind: kind, start: position, end: index + 1))
        position += 1
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: closing) {
            position += 1
            return false
        }
        tokens[index].count = 1
        return true
    }

    private mutating func scanLiteral(_ word: StaticString, _ kind: JSONToken.Kind) throws {
        let length = word.utf8CodeUnitCount
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: length)
        guard bytes.count - position >= length,
            memcmp(bytes.baseAddress! + position, text.baseAddress!, length) == 0
        else {
            throw fail(JSONScanner.expectedValue)
        }
        tokens.append(JSONToken(kind: kind, start: position, end: position + length))
        position += length
    }

    /// `-?(0|[1-9][0-9]*)`; its range is checked when it is read, against the type asked for.
    private mutating func scanNumber() throws {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw fail("a minus sign without digits")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            guard position == bytes.count || !isDigit(bytes[position]) else {
                throw fail("a number with a leading zero")
            }
        }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        if position < bytes.count,
            [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position])
        {
            position = start
            throw fail("a number with a fraction or an exponent; saved plans hold integers only")
        }
        tokens.append(JSONToken(kind: .number, start: start, end: position))
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func fail(_ text: String) -> Failure {
        Failure(offset: position, text: text)
    }
}

// MARK: Strings

extension JSONScanner {
    /// A string from its opening quote: escapes and UTF-8 checked, nothing decoded.
    private mutating func scanString() throws {
        let opening = position
        var token = JSONToken(kind: .string, start: position + 1, end: 0)
        position += 1
        while true {
            // Most bytes are printable ASCII: passed over in a tight loop.
            while position < bytes.count, isPlain(bytes[position]) { position += 1 }
            guard position < bytes.count else {
                position = opening
                throw fail("a string without its closing quote")
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                token.end = position
                position += 1
                tokens.append(token)
                return
            case UInt8(ascii: "\\"):
                token.escaped = true
                try scanEscape()
            case 0..<0x20:
                throw fail("a control character (U+00\(hex2(byte))) in a string; JSON writes it "
                           + "as an escape")
            default:
                token.wide = true
                try scanUTF8()
            }
        }
    }

    private func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    private func hex2(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// One escape; a `\u` of a high surrogate must be followed by the `\u` of a low one.
    private mutating func scanEscape() throws {
        guard position + 1 < bytes.count else { throw fail("a string ends inside an escape") }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            try scanUnicodeEscape()
        default:
            throw fail("an escape JSON does not have; the escapes are \\\" \\\\ \\/ \\b \\f \\n "
                       + "\\r \\t and \\u followed by four hex digits")
        }
    }

    private mutating func scanUnicodeEscape() throws {
        let unit = try hex4(at: position + 2)
        switch unit {
        case 0xD800...0xDBFF:
            let low = position + 6
            guard low + 1 < bytes.count, bytes[low] == UInt8(ascii: "\\"),
                bytes[low + 1] == UInt8(ascii: "u"),
                (0xDC00...0xDFFF).contains(try hex4(at: low + 2))
            else {
                throw fail("a high surrogate escape without the low surrogate escape after it")
            }
            position += 12
        case 0xDC00...0xDFFF:
            throw fail("a low surrogate escape without the high surrogate escape before it")
        default:
            position += 6
        }
    }

    private func hex4(at offset: Int) throws -> UInt16 {
        guard offset + 4 <= bytes.count else { throw fail("a \\u escape without four hex digits") }
        var unit: UInt16 = 0
        for byte in bytes[offset..<(offset + 4)] {
            guard let digit = JSONScanner.hexValue(byte) else {
                throw fail("a \\u escape without four hex digits")
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One character of two to four bytes, as the Unicode Standard's table 3-7 allows them:
    /// no overlong forms, no surrogates, nothing above U+10FFFF.
    private mutating func scanUTF8() throws {
        let lead = bytes[position]
        let (length, second): (Int, ClosedRange<UInt8>) =
            switch lead {
            case 0xC2...0xDF: (2, 0x80...0xBF)
            case 0xE0: (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80...0xBF)
            case 0xED: (3, 0x80...0x9F)
            case 0xF0: (4, 0x90...0xBF)
            case 0xF1...0xF3: (4, 0x80...0xBF)
            case 0xF4: (4, 0x80...0x8F)
            default: (0, 0x80...0xBF)
            }
        guard length > 0, position + length <= bytes.count, second.contains(bytes[position + 1]),
            bytes[(position + 2)..<(position + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
        else {
            throw fail("bytes that are not UTF-8 in a string")
        }
        position += length
    }

    /// The text of a checked string with escapes, as UTF-8 and then a String.
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                index += 1
                continue
            }
            index += unescapeOne(raw, at: index, into: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends what the escape at `index` stands for; returns its length in bytes.
    private static func unescapeOne(_ raw: UnsafeRawBufferPointer, at index: Int,
                                    into text: inout [UInt8]) -> Int {
        switch raw[index + 1] {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"): return unescapeUnicode(raw, at: index, into: &text)
        case let letter: text.append(letter)
        }
        return 2
    }

    /// A `\u` escape, or two for a surrogate pair, as the UTF-8 of its scalar.
    private static func unescapeUnicode(_ raw: UnsafeRawBufferPointer, at index: Int,
                                        into text: inout [UInt8]) -> Int {
        var scalar = UInt32(unit(raw, at: index + 2))
        var length = 6
        if (0xD800...0xDBFF).contains(scalar) {
            let low = UInt32(unit(raw, at: index + 8))
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            length = 12
        }
        UTF8.encode(Unicode.Scalar(scalar)!) { text.append($0) }
        return length
    }

    private static func unit(_ raw: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        raw[offset..<(offset + 4)].reduce(0) { $0 << 4 | UInt16(hexValue($1)!) }
    }
}

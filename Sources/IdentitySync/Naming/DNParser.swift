/// Reads the RFC 4514 string form of a DN, byte by byte over its UTF-8, so that `\XX` escapes
/// of a multi-byte character join into one character.
struct DNParser {
    typealias Pair = DistinguishedName.AttributeValue

    private let text: String
    private let bytes: [UInt8]
    private var index = 0

    init(text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// All RDNs, entry first; none for an empty (or all-space) string, the root DN.
    mutating func parseDN() throws(DNError) -> [[Pair]] {
        skipSpaces()
        guard index < bytes.count else {
            return []
        }

        // A value stops only at `,`, `+` or the end, so after an RDN comes `,` or the end.
        var rdns = [try parseRDN()]
        while consume(",") {
            rdns.append(try parseRDN())
        }
        return rdns
    }

    private mutating func parseRDN() throws(DNError) -> [Pair] {
        var pairs = [try parsePair()]
        while consume("+") {
            pairs.append(try parsePair())
        }
        return pairs
    }

    /// `type = value`, with spaces tolerated around the type and `=`.
    private mutating func parsePair() throws(DNError) -> Pair {
        skipSpaces()
        let type = try parseType()

        skipSpaces()
        guard consume("=") else {
            throw failure(.missingEquals)
        }

        skipSpaces()
        return Pair(type: type, value: try parseValue())
    }

    /// A descriptor (`cn`, `ou`) or numeric OID (`2.5.4.3`).
    private mutating func parseType() throws(DNError) -> String {
        let start = index
        while index < bytes.count, !"=,+ ".utf8.contains(bytes[index]) {
            index += 1
        }

        let token = bytes[start..<index]
        guard !token.isEmpty || !(index == bytes.count || "+,".utf8.contains(bytes[index])) else {
            throw failure(.emptyRDN, at: start)
        }
        guard Self.isDescriptor(token) || Self.isNumericOID(token) else {
            throw failure(.badAttributeType, at: start)
        }
        return String(decoding: token, as: UTF8.self)
    }

    /// The raw value up to an unescaped `,` or `+`, without unescaped trailing spaces.
    private mutating func parseValue() throws(DNError) -> String {
        let start = index
        guard !consume("#") else {
            throw failure(.hexValueUnsupported, at: start)
        }

        var raw: [UInt8] = []
        var significant = 0
        while index < bytes.count, !"+,".utf8.contains(bytes[index]) {
            let isSpace = bytes[index] == UInt8(ascii: " ")
            raw.append(try parseCharacter())
            significant = isSpace ? significant : raw.count
        }

        guard let value = String(validating: raw.prefix(significant), as: UTF8.self) else {
            throw failure(.invalidUTF8, at: start)
        }
        return value
    }

    /// One byte of a value, unescaping `\c` and `\XX`. An escaped space counts as significant,
    /// so its caller sees it as a backslash and keeps it.
    private mutating func parseCharacter() throws(DNError) -> UInt8 {
        let byte = bytes[index]
        guard byte != UInt8(ascii: "\\") else {
            return try parseEscape()
        }
        guard !"\";<>\0".utf8.contains(byte) else {
            throw failure(.unescapedCharacter)
        }

        index += 1
        return byte
    }

    private mutating func parseEscape() throws(DNError) -> UInt8 {
        guard index + 1 < bytes.count else {
            throw failure(.trailingBackslash)
        }

        let next = bytes[index + 1]
        if index + 2 < bytes.count, let high = Self.hexValue(next),
           let low = Self.hexValue(bytes[index + 2]) {
            index += 3
            return high << 4 | low
        }
        guard " \"#+,;<=>\\".utf8.contains(next) else {
            throw failure(.badEscape)
        }
        index += 2
        return next
    }

    // MARK: - Small steps

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") {
            index += 1
        }
    }

    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else {
            return false
        }
        index += 1
        return true
    }

    private func failure(_ code: DNError.Code, at offset: Int? = nil) -> DNError {
        DNError(code: code, dn: text, offset: offset ?? index)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// RFC 4512 `descr`: a letter, then letters, digits and hyphens.
    private static func isDescriptor(_ token: ArraySlice<UInt8>) -> Bool {
        guard let first = token.first, isLetter(first) else {
            return false
        }
        return token.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 4512 `numericoid`: two or more numbers joined by dots, none with a leading zero.
    private static func isNumericOID(_ token: ArraySlice<UInt8>) -> Bool {
        let numbers = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard numbers.count >= 2 else {
            return false
        }
        return numbers.allSatisfy { number in
            !number.isEmpty && number.allSatisfy(isDigit)
                && (number.count == 1 || number.first != UInt8(ascii: "0"))
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

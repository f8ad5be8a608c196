import Foundation

/// An LDAP distinguished name, read and written in the string form of RFC 4514.
///
/// `rdns` runs from the entry itself to the top of the tree, as in the string:
/// `uid=jdoe,ou=People,dc=example` has three RDNs, the first `uid=jdoe`. Values are held raw
/// (unescaped). Equality and hashing compare `normalized`, so two spellings of the same LDAP
/// name are equal.
public struct DistinguishedName: Hashable, Sendable, CustomStringConvertible {
    /// One `type=value` pair of an RDN; `value` is the raw value, with no escapes.
    public struct AttributeValue: Hashable, Sendable {
        public let type: String
        public let value: String

        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    /// The RDNs, entry first. Each holds one pair, or several for a multi-valued RDN.
    ///
    /// Parsed from `string` when asked for: a DN is kept as its two strings only, since a
    /// directory read holds one per person and most are only compared and printed.
    public var rdns: [[AttributeValue]] {
        guard !string.isEmpty else { return [] }
        var parser = DNParser(text: string)
        return (try? parser.parseDN()) ?? []
    }

    /// Takes RDNs as given, entry first. An RDN with no pairs would have no string form, so
    /// such RDNs are left out. Types are not checked: callers pass names such as `uid` or OIDs.
    public init(rdns: [[AttributeValue]]) {
        let rdns = rdns.filter { !$0.isEmpty }
        self.init(string: rdns.map(Self.format(rdn:)).joined(separator: ","),
                  normalized: rdns.map(Self.normalize(rdn:)).joined(separator: ","))
    }

    /// Where the two forms are equal (plain lower-case DNs) they share one buffer.
    private init(string: String, normalized: String) {
        self.string = string
        self.normalized = normalized == string ? string : normalized
    }

    private static func format(rdn: [AttributeValue]) -> String {
        rdn.map { "\($0.type)=\(DNEscaping.escape($0.value))" }.joined(separator: "+")
    }

    private static func normalize(rdn: [AttributeValue]) -> String {
        rdn.map(DNEscaping.normalizedPair).sorted().joined(separator: "+")
    }

    /// Reads an RFC 4514 string. The empty string is the root DN, with no RDNs.
    ///
    /// Accepts `\` before a special character, `\XX` hex pairs (several forming one UTF-8
    /// character), multi-valued RDNs joined by `+`, and spaces around `,`, `+` and `=` as older
    /// servers write them.
    /// - Throws: `DNError` with the text, the byte offset and the problem: an empty RDN
    ///   (`uid=a,,dc=x`), a missing `=`, a bad attribute type, an unescaped `"`, `;`, `<`, `>`
    ///   or NUL in a value, a bad or trailing backslash, escapes that are not UTF-8, and
    ///   `#`-prefixed BER values, which idsync never needs and so does not decode.
    public init(parsing string: String) throws {
        // A plain ASCII DN, as directories return nearly all of them, is its own string form.
        if let plain = DNEscaping.plainNormalized(string) {
            self.init(string: string, normalized: plain)
            return
        }
        var parser = DNParser(text: string)
        self.init(rdns: try parser.parseDN())
    }

    /// One single-valued RDN, for `init(rdns:)` and building DNs in code.
    public static func rdn(_ type: String, _ value: String) -> [AttributeValue] {
        [AttributeValue(type: type, value: value)]
    }

    /// The DN of an entry directly below this one, named `type=value`.
    public func child(_ type: String, _ value: String) -> DistinguishedName {
        let rdn = Self.rdn(type, value)
        let below = { (own: String, parent: String) in parent.isEmpty ? own : own + "," + parent }
        return DistinguishedName(string: below(Self.format(rdn: rdn), string),
                                 normalized: below(Self.normalize(rdn: rdn), normalized))
    }

    /// The DN one level up; the root DN for a single RDN, and nil for the root DN itself.
    public var parent: DistinguishedName? {
        guard !string.isEmpty else {
            return nil
        }
        let rest = { (text: String) -> String in
            guard let comma = DNEscaping.firstSeparator(in: text) else { return "" }
            return String(text[text.index(after: comma)...])
        }
        return DistinguishedName(string: rest(string), normalized: rest(normalized))
    }

    /// The RFC 4514 string, types and values as stored.
    ///
    /// Escapes `,` `+` `"` `\` `<` `>` `;` with a backslash before the character itself (so
    /// `Smith, John` gives `Smith\, John`), a leading `#` or space and a trailing space the same
    /// way, and NUL as `\00`. Other characters, UTF-8 included, are written as they are.
    public let string: String

    /// A form for comparison, in which two DNs LDAP deems equal are the same string.
    ///
    /// Types are lower-cased, and common long names and OIDs become their short names
    /// (`commonName` and `2.5.4.3` become `cn`). Values are NFKC-normalized, lower-cased and
    /// whitespace-collapsed, as the case-ignore matching of `cn`, `uid`, `ou` and `dc` treats
    /// them (RFC 4518); an attribute with case-exact matching in a DN would compare too loosely.
    /// Pairs of a multi-valued RDN are sorted, since their order does not matter.
    public let normalized: String

    /// The normalized form of a DN string, as `DistinguishedName(parsing:).normalized` gives.
    ///
    /// Most DNs a directory returns are plain ASCII (`uid=jsmith,ou=people,dc=example,dc=org`);
    /// those are only lower-cased, which is what the full parse would give them. Group
    /// members are normalized by the hundred thousand, so the shortcut matters.
    public static func normalize(_ text: String) throws -> String {
        try DistinguishedName(parsing: text).normalized
    }

    /// True when this DN lies directly below `other`, one RDN down.
    public func isChild(of other: DistinguishedName) -> Bool {
        guard let start = suffixStart(of: other) else { return false }
        let own = normalized.utf8.prefix(start)
        return DNEscaping.firstSeparator(in: own) == nil
    }

    /// True when this DN lies strictly below `other`, compared in normalized form.
    public func isDescendant(of other: DistinguishedName) -> Bool {
        suffixStart(of: other) != nil
    }

    /// The byte offset of the comma after which `other` ends this DN, when that comma is not
    /// escaped; nil when this DN is not below `other`. Works on the UTF-8 views in place:
    /// it runs once per entry of a directory read.
    private func suffixStart(of other: DistinguishedName) -> Int? {
        let mine = normalized.utf8
        let theirs = other.normalized.utf8
        guard !mine.isEmpty else { return nil }
        guard !theirs.isEmpty else { return mine.count }
        guard mine.count > theirs.count + 1, mine.suffix(theirs.count).elementsEqual(theirs) else { return nil }
        let comma = mine.count - theirs.count - 1
        var commaIndex = mine.index(mine.startIndex, offsetBy: comma)
        guard mine[commaIndex] == UInt8(ascii: ",") else { return nil }
        // An odd run of backslashes before the comma escapes it.
        var backslashes = 0
        while commaIndex > mine.startIndex {
            commaIndex = mine.index(before: commaIndex)
            guard mine[commaIndex] == UInt8(ascii: "\\") else { break }
            backslashes += 1
        }
        return backslashes % 2 == 0 ? comma : nil
    }

    public var description: String {
        string
    }

    public static func == (lhs: DistinguishedName, rhs: DistinguishedName) -> Bool {
        lhs.normalized == rhs.normalized
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(normalized)
    }
}

/// A DN string that cannot be read, with the text, where, and what is wrong.
public struct DNError: Error, Hashable, CustomStringConvertible {
    /// What is wrong, stable across releases; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        public static let emptyRDN = Code(name: "empty RDN")
        public static let missingEquals = Code(name: "attribute type without '='")
        public static let badAttributeType = Code(name: "bad attribute type")
        public static let unescapedCharacter = Code(name: "character must be escaped")
        public static let badEscape = Code(name: "backslash before a character that needs none")
        public static let trailingBackslash = Code(name: "backslash at the end")
        public static let invalidUTF8 = Code(name: "escaped bytes are not UTF-8")
        public static let hexValueUnsupported = Code(name: "#-prefixed BER values are not read")

        public var description: String {
            name
        }
    }

    public let code: Code

    /// The DN text as given.
    public let dn: String

    /// The byte offset (in UTF-8) where the problem was found.
    public let offset: Int

    public var description: String {
        "distinguished name \"\(dn)\" at byte \(offset): \(code)"
    }
}

// MARK: - Escaping

enum DNEscaping {
    /// Characters RFC 4514 requires escaped anywhere in a value.
    private static let special: Set<Unicode.Scalar> = [",", "+", "\"", "\\", "<", ">", ";"]

    /// A raw value written in RFC 4514 form; see `DistinguishedName.string`.
    static func escape(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = ""
        for (index, scalar) in scalars.enumerated() {
            out += escape(scalar, first: index == 0, last: index == scalars.count - 1)
        }
        return out
    }

    private static func escape(_ scalar: Unicode.Scalar, first: Bool, last: Bool) -> String {
        if scalar == "\0" {
            return "\\00"
        }
        let atEdge = (first && scalar == "#") || ((first || last) && scalar == " ")
        if special.contains(scalar) || atEdge {
            return "\\" + String(scalar)
        }
        return String(scalar)
    }

    /// `type=value` in normalized form; see `DistinguishedName.normalized`.
    static func normalizedPair(_ pair: DistinguishedName.AttributeValue) -> String {
        let type = pair.type.lowercased()
        let name = shortNames[type] ?? type
        // Plain ASCII without spaces, the common case, needs only lower-casing.
        if pair.value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x80 }) {
            return "\(name)=\(escape(pair.value.lowercased()))"
        }
        let value = pair.value.precomposedStringWithCompatibilityMapping.lowercased()
        let words = value.split(whereSeparator: { $0.isWhitespace })
        return "\(name)=\(escape(words.joined(separator: " ")))"
    }

    /// The lower-cased text when it needs nothing else: ASCII letters, digits and `-._@` in
    /// values, each RDN one `type=value` pair with a short type name, no spaces or escapes.
    static func plainNormalized(_ text: String) -> String? {
        let shape = text.utf8.withContiguousStorageIfAvailable(plainShape)
            ?? Array(text.utf8).withUnsafeBufferPointer(plainShape)
        switch shape {
        case .notPlain: return nil
        // Already lower-case, as directories mostly return DNs: the same string, no copy.
        case .lowerCase: return text
        case .mixedCase: return String(decoding: text.utf8.map(lowered), as: UTF8.self)
        }
    }

    private enum PlainShape { case notPlain, lowerCase, mixedCase }

    /// Checks the text in place, without a copy: a directory read checks one DN per entry
    /// and per group member.
    private static func plainShape(_ bytes: UnsafeBufferPointer<UInt8>) -> PlainShape {
        var mixedCase = false
        var equalsInRDN = 0
        var typeStart = 0
        var last: UInt8 = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): mixedCase = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"):
                break
            case UInt8(ascii: "="):
                guard equalsInRDN == 0, isShortType(bytes[typeStart ..< index]) else {
                    return .notPlain
                }
                equalsInRDN = 1
            case UInt8(ascii: ","):
                guard equalsInRDN == 1, last != UInt8(ascii: "=") else { return .notPlain }
                equalsInRDN = 0
                typeStart = index + 1
            default:
                return .notPlain
            }
            last = byte
        }
        guard equalsInRDN == 1, last != UInt8(ascii: "=") else { return .notPlain }
        return mixedCase ? .mixedCase : .lowerCase
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// A type of letters, digits and `-` that starts with a letter, in any case, and is not
    /// a long name that has a short one.
    private static func isShortType(_ type: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let letters = UInt8(ascii: "a")...UInt8(ascii: "z")
        guard let first = type.first.map(lowered), letters.contains(first) else { return false }
        let isNameByte = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
        guard type.allSatisfy({ isNameByte(lowered($0)) }) else { return false }
        // Every long name that has a short one is six letters or more (userid, commonname).
        guard type.count >= 6 else { return true }
        return shortNames[String(decoding: type.map(lowered), as: UTF8.self)] == nil
    }

    /// The first `,` that separates RDNs, skipping escaped characters.
    static func firstSeparator(in text: String) -> String.Index? {
        firstSeparator(in: text.utf8[...])
    }

    static func firstSeparator(in bytes: Substring.UTF8View) -> String.Index? {
        var escaped = false
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped { escaped = false; continue }
            if byte == UInt8(ascii: "\\") { escaped = true; continue }
            if byte == UInt8(ascii: ",") { return index }
        }
        return nil
    }

    /// Long names and OIDs of the naming attributes directories use, so that `commonName=x`
    /// and `cn=x` compare equal (RFC 4519).
    private static let shortNames: [String: String] = [
        "commonname": "cn", "2.5.4.3": "cn",
        "userid": "uid", "0.9.2342.19200300.100.1.1": "uid",
        "domaincomponent": "dc", "0.9.2342.19200300.100.1.25": "dc",
        "organizationalunitname": "ou", "2.5.4.11": "ou",
        "organizationname": "o", "2.5.4.10": "o",
        "countryname": "c", "2.5.4.6": "c",
        "localityname": "l", "2.5.4.7": "l",
        "stateorprovincename": "st", "2.5.4.8": "st",
        "streetaddress": "street", "2.5.4.9": "street",
    ]
}

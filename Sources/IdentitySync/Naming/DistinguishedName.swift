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
    public let rdns: [[AttributeValue]]

    /// The normalized RDNs, computed once: DNs are hashed and compared constantly while a
    /// plan is made, and normalizing (NFKC, case folding) is far dearer than hashing.
    private let normalizedRDNs: [String]

    /// Takes RDNs as given, entry first. An RDN with no pairs would have no string form, so
    /// such RDNs are left out. Types are not checked: callers pass names such as `uid` or OIDs.
    public init(rdns: [[AttributeValue]]) {
        let rdns = rdns.filter { !$0.isEmpty }
        self.init(rdns: rdns, normalizedRDNs: rdns.map(DistinguishedName.normalize(rdn:)))
    }

    /// Takes RDNs whose normalized forms are known already, as a child or parent has them.
    private init(rdns: [[AttributeValue]], normalizedRDNs: [String]) {
        self.rdns = rdns
        self.normalizedRDNs = normalizedRDNs
        self.normalized = normalizedRDNs.joined(separator: ",")
        self.string = rdns.map { rdn in
            rdn.map { "\($0.type)=\(DNEscaping.escape($0.value))" }.joined(separator: "+")
        }.joined(separator: ",")
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
        return DistinguishedName(rdns: [rdn] + rdns, normalizedRDNs: [Self.normalize(rdn: rdn)] + normalizedRDNs)
    }

    /// The DN one level up; the root DN for a single RDN, and nil for the root DN itself.
    public var parent: DistinguishedName? {
        guard !rdns.isEmpty else {
            return nil
        }
        return DistinguishedName(rdns: Array(rdns.dropFirst()), normalizedRDNs: Array(normalizedRDNs.dropFirst()))
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
        if let plain = DNEscaping.plainNormalized(text) {
            return plain
        }
        return try DistinguishedName(parsing: text).normalized
    }

    /// Parses `text` like `init(parsing:)`, reusing the parent DNs already in `parents`.
    ///
    /// A directory read returns 100,000 DNs below the same few containers; a plain ASCII
    /// DN is split at its first comma and only its own RDN is new work.
    public static func parsing(_ text: String, parents: inout [String: DistinguishedName]) throws
        -> DistinguishedName {
        guard DNEscaping.plainNormalized(text) != nil, let comma = text.firstIndex(of: ",") else {
            return try DistinguishedName(parsing: text)
        }
        let rdn = text[..<comma]
        let parentText = String(text[text.index(after: comma)...])
        let parent = try parents[parentText] ?? DistinguishedName(parsing: parentText)
        parents[parentText] = parent
        let equals = rdn.firstIndex(of: "=")!
        return parent.child(String(rdn[..<equals]), String(rdn[rdn.index(after: equals)...]))
    }

    /// True when this DN lies directly below `other`, one RDN down.
    public func isChild(of other: DistinguishedName) -> Bool {
        normalizedRDNs.count == other.normalizedRDNs.count + 1
            && normalizedRDNs.dropFirst().elementsEqual(other.normalizedRDNs)
    }

    /// True when this DN lies strictly below `other`, compared in normalized form.
    public func isDescendant(of other: DistinguishedName) -> Bool {
        guard rdns.count > other.rdns.count else {
            return false
        }
        return normalizedRDNs.suffix(other.rdns.count).elementsEqual(other.normalizedRDNs)
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
        var lowered: [UInt8] = []
        lowered.reserveCapacity(text.utf8.count)
        var equalsInRDN = 0
        var typeStart = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): lowered.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"):
                lowered.append(byte)
            case UInt8(ascii: "="):
                guard equalsInRDN == 0, isShortType(lowered[typeStart...]) else { return nil }
                equalsInRDN = 1
                lowered.append(byte)
            case UInt8(ascii: ","):
                guard equalsInRDN == 1, lowered.last != UInt8(ascii: "=") else { return nil }
                equalsInRDN = 0
                lowered.append(byte)
                typeStart = lowered.count
            default:
                return nil
            }
        }
        guard equalsInRDN == 1, lowered.last != UInt8(ascii: "=") else { return nil }
        return String(decoding: lowered, as: UTF8.self)
    }

    private static func isShortType(_ type: ArraySlice<UInt8>) -> Bool {
        guard let first = type.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        guard !type.contains(UInt8(ascii: ".")) else { return false }
        return shortNames[String(decoding: type, as: UTF8.self)] == nil
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

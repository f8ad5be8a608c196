import CLDAP

/// One search result entry as the server encoded it (RFC 4511 §4.5.2): the DN, and each
/// attribute's description and values, as bytes inside libldap's message.
///
/// Nothing is copied or turned into Swift strings, so that a reader of 100,000 entries makes
/// strings only of the values it keeps and can compare the rest where they lie. Valid only
/// inside the callback that receives it.
public struct EncodedEntry {
    public let dn: UnsafeRawBufferPointer
    /// The attributes in the order the server sent them.
    public let attributes: UnsafeBufferPointer<EncodedAttribute>
}

public struct EncodedAttribute {
    /// The attribute description as the server sent it (`departmentNumber`, `cn;lang-de`).
    public let name: UnsafeRawBufferPointer
    /// The contents of the SET OF values, each element checked when the entry was decoded:
    /// two attributes with equal encodings have equal values.
    public let encodedValues: UnsafeRawBufferPointer

    public var values: EncodedValues { EncodedValues(encodedValues) }

    /// The first value, or nil when the attribute came without values.
    public var first: UnsafeRawBufferPointer? {
        var values = self.values
        return values.next()
    }
}

/// The values of one attribute, each a byte buffer, in the order the server sent them.
public struct EncodedValues: Sequence, IteratorProtocol {
    private var reader: BERReader

    init(_ encoded: UnsafeRawBufferPointer) {
        reader = BERReader(encoded)
    }

    public mutating func next() -> UnsafeRawBufferPointer? {
        reader.next(tag: BERReader.octetString)
    }
}

/// Reads definite-length BER elements (X.690 §8.1) one after the other from a buffer.
struct BERReader {
    static let octetString: UInt8 = 0x04
    static let set: UInt8 = 0x31
    private var rest: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        rest = bytes
    }

    var isAtEnd: Bool { rest.isEmpty }

    /// The contents of the next element when its tag is `tag`; nil at the end, for another
    /// tag, or when its length runs past the buffer (and then nothing is consumed).
    mutating func next(tag: UInt8) -> UnsafeRawBufferPointer? {
        guard rest.count >= 2, rest[0] == tag else { return nil }
        var length = Int(rest[1])
        var header = 2
        if length >= 0x80 {
            // Long form: the low bits count the length octets that follow; four are plenty
            // for one LDAP message.
            let octets = length & 0x7f
            guard (1...4).contains(octets), rest.count >= 2 + octets else { return nil }
            length = 0
            for index in 0..<octets { length = length << 8 | Int(rest[2 + index]) }
            header += octets
        }
        guard rest.count - header >= length else { return nil }
        let contents = UnsafeRawBufferPointer(rebasing: rest[header ..< header + length])
        rest = UnsafeRawBufferPointer(rebasing: rest[(header + length)...])
        return contents
    }

    /// True when `bytes` holds nothing but elements tagged `tag`.
    static func holdsOnly(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = BERReader(bytes)
        while !reader.isAtEnd {
            guard reader.next(tag: tag) != nil else { return false }
        }
        return true
    }
}

extension EncodedEntry {
    /// Decodes the entry `message` and hands it to `body`. `scratch` holds the attributes and
    /// is kept by the caller from one entry to the next, so that no entry allocates.
    /// - Throws: `LDAPError` -4 (decoding error) for an entry that is not well formed: a
    ///   reader must not take a damaged entry for one without some of its values.
    static func decode<Result>(_ handle: OpaquePointer, _ message: OpaquePointer,
                               scratch: inout [EncodedAttribute],
                               _ body: (EncodedEntry) throws -> Result) throws -> Result {
        var ber: OpaquePointer?
        var dn = berval()
        guard ldap_get_dn_ber(handle, message, &ber, &dn) == LDAP_SUCCESS, let ber else {
            if let ber { ber_free(ber, 0) }
            throw malformed("its DN")
        }
        defer { ber_free(ber, 0) }

        // libldap leaves the element after the DN's at the first PartialAttribute, a SEQUENCE.
        scratch.removeAll(keepingCapacity: true)
        var length: ber_len_t = 0
        while ber_peek_tag(ber, &length) == 0x30 {
            var element = berval()
            guard ber_skip_element(ber, &element) == 0x30 else { throw malformed("an attribute") }
            let bytes = UnsafeRawBufferPointer(start: element.bv_val, count: Int(element.bv_len))
            var reader = BERReader(bytes)
            guard let name = reader.next(tag: BERReader.octetString),
                  let values = reader.next(tag: BERReader.set), reader.isAtEnd,
                  BERReader.holdsOnly(BERReader.octetString, values) else {
                throw malformed("an attribute")
            }
            scratch.append(EncodedAttribute(name: name, encodedValues: values))
        }

        let dnBytes = UnsafeRawBufferPointer(start: dn.bv_val,
                                             count: dn.bv_val == nil ? 0 : Int(dn.bv_len))
        return try scratch.withUnsafeBufferPointer { attributes in
            try body(EncodedEntry(dn: dnBytes, attributes: attributes))
        }
    }

    private static func malformed(_ part: String) -> LDAPError {
        LDAPError(code: LDAP_DECODING_ERROR,
                  message: "a search result entry could not be decoded (\(part))", operation: "search")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLDAP

/// One directory entry as read from the server. Values are UTF-8 strings.
///
/// The attributes are kept as two parallel arrays in the order the server sent them, not as
/// a dictionary: an entry has a dozen or so, a scan of them costs less than hashing, and a
/// directory read decodes one entry per person.
public struct LDAPEntry: Sendable {
    public let dn: String
    /// The attribute names, lowercased as the server sent them (options kept, e.g.
    /// "cn;lang-de"), each once.
    public let names: [String]
    /// `valueLists[i]` holds the values of `names[i]`.
    public let valueLists: [[String]]

    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.names = Array(attributes.keys)
        self.valueLists = names.map { attributes[$0]! }
    }

    init(dn: String, names: [String], valueLists: [[String]]) {
        self.dn = dn
        self.names = names
        self.valueLists = valueLists
    }

    /// Values by attribute name, for code that is not on a hot path.
    public var attributes: [String: [String]] {
        Dictionary(zip(names, valueLists), uniquingKeysWith: +)
    }

    /// The values of `name` (any case), or nil when the entry does not hold it.
    public func valuesIfPresent(_ name: String) -> [String]? {
        let key = name.utf8.contains { (65...90).contains($0) } ? name.lowercased() : name
        guard let index = names.firstIndex(of: key) else { return nil }
        return valueLists[index]
    }

    /// All values of `name` (any case), or [] if the entry has none.
    public func values(_ name: String) -> [String] {
        valuesIfPresent(name) ?? []
    }

    /// The first value of `name` (any case), or nil.
    public func first(_ name: String) -> String? {
        values(name).first
    }
}

extension LDAPEntry {
    /// Decodes a search result entry in one pass over its BER encoding, as ldapsearch does:
    /// the DN, then each attribute with its values, read where libldap holds them.
    /// The message itself stays owned by the caller.
    init(handle: OpaquePointer, message: OpaquePointer, names cache: inout AttributeNameCache) {
        var ber: OpaquePointer?
        var dnValue = berval()
        guard ldap_get_dn_ber(handle, message, &ber, &dnValue) == LDAP_SUCCESS else {
            if let ber { ber_free(ber, 0) }
            self.init(dn: "", names: [], valueLists: [])
            return
        }
        defer { if let ber { ber_free(ber, 0) } }
        let dn = dnValue.bv_val.map { string(from: $0, length: dnValue.bv_len) } ?? ""

        var names: [String] = []
        var lists: [[String]] = []
        var name = berval()
        var values: UnsafeMutablePointer<berval>?
        while ldap_get_attribute_ber(handle, message, ber, &name, &values) == LDAP_SUCCESS,
              let raw = name.bv_val {
            let key = cache.name(raw, length: Int(name.bv_len), position: names.count)
            let list = Self.strings(values)
            if let values { ber_memfree(values) }
            values = nil
            // The server sends each attribute once; merge anyway rather than lose values.
            if let index = names.firstIndex(of: key) {
                lists[index] += list
            } else {
                names.append(key)
                lists.append(list)
            }
        }
        self.init(dn: dn, names: names, valueLists: lists)
    }

    /// Decodes a search result entry with a cache of its own, for single reads.
    init(handle: OpaquePointer, message: OpaquePointer) {
        var cache = AttributeNameCache()
        self.init(handle: handle, message: message, names: &cache)
    }

    /// The values of a BerVarray (ended by a NULL bv_val); none for a NULL array, as a
    /// typesOnly search returns.
    private static func strings(_ array: UnsafeMutablePointer<berval>?) -> [String] {
        guard var cursor = array else { return [] }
        var values: [String] = []
        while let bytes = cursor.pointee.bv_val {
            values.append(string(from: bytes, length: cursor.pointee.bv_len))
            cursor += 1
        }
        return values
    }
}

/// The lower-cased attribute names of the last entry decoded, by position: entries of one
/// search mostly send the same names in the same order, so most names are a byte compare
/// and no new string.
struct AttributeNameCache {
    private var raw: [[UInt8]] = []
    private var lowered: [String] = []

    mutating func name(_ bytes: UnsafeMutablePointer<CChar>, length: Int, position: Int) -> String {
        let buffer = UnsafeRawBufferPointer(start: bytes, count: length)
        if position < raw.count, raw[position].elementsEqual(buffer) {
            return lowered[position]
        }
        let text = String(decoding: buffer, as: UTF8.self)
        let key = buffer.contains { (65...90).contains($0) } ? text.lowercased() : text
        if position < raw.count {
            raw[position] = Array(buffer)
            lowered[position] = key
        } else if position == raw.count {
            raw.append(Array(buffer))
            lowered.append(key)
        }
        return key
    }
}

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
    /// Makes strings of an encoded entry: its DN, the lower-cased attribute names (through
    /// `cache`) and every value.
    init(_ entry: EncodedEntry, names cache: inout AttributeNameCache) {
        var names: [String] = []
        var lists: [[String]] = []
        names.reserveCapacity(entry.attributes.count)
        lists.reserveCapacity(entry.attributes.count)
        for attribute in entry.attributes {
            let key = cache.value(for: attribute.name, at: names.count, make: LDAPEntry.lowered)
            let list = attribute.values.map { String(decoding: $0, as: UTF8.self) }
            // The server sends each attribute once; merge anyway rather than lose values.
            if let index = names.firstIndex(of: key) {
                lists[index] += list
            } else {
                names.append(key)
                lists.append(list)
            }
        }
        self.init(dn: String(decoding: entry.dn, as: UTF8.self), names: names, valueLists: lists)
    }
}

/// What a reader made of each attribute name of the last entry, by position: entries of one
/// search mostly send the same names in the same order, so most names are a byte compare
/// away from what the last entry's gave, and need no new string.
public struct NamesByPosition<Value> {
    private var raw: [[UInt8]] = []
    private var made: [Value] = []

    public init() {}

    /// What `make` gives for the name at `position`, made again only when the name differs
    /// from the last entry's there.
    public mutating func value(for name: UnsafeRawBufferPointer, at position: Int,
                               make: (UnsafeRawBufferPointer) -> Value) -> Value {
        if position < raw.count, raw[position].elementsEqual(name) { return made[position] }
        let value = make(name)
        if position < raw.count {
            raw[position] = Array(name)
            made[position] = value
        } else if position == raw.count {
            raw.append(Array(name))
            made.append(value)
        }
        return value
    }
}

/// The lower-cased attribute names of the last entry, for `LDAPEntry`.
typealias AttributeNameCache = NamesByPosition<String>

extension LDAPEntry {
    /// The name lower-cased; an already lower-case name is the same string.
    public static func lowered(_ name: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: name, as: UTF8.self)
        return name.contains { (65...90).contains($0) } ? text.lowercased() : text
    }
}

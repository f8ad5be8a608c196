/// An entry's attribute values by lower-cased name, stored flat.
///
/// A person's entry has a dozen mostly single-valued attributes; a dictionary of arrays
/// spends several times more memory on its own structure than on the values, and a
/// directory read holds one per person. Here the values sit in one array, with the names
/// in another that entries of the same shape share.
public struct AttributeMap: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Sorted lower-cased names; one array instance serves every entry with the same names.
    public private(set) var names: [String]
    /// `values[ends[i - 1] ..< ends[i]]` are the values of `names[i]`.
    private var ends: [UInt16]
    private var values: [String]

    public init(_ dictionary: [String: [String]], sharing shape: [String]? = nil) {
        let lower = { (key: String) in key.utf8.contains { (65...90).contains($0) } ? key.lowercased() : key }
        let names = dictionary.keys.map(lower).sorted()
        self.names = shape == names ? shape! : names
        var ends: [UInt16] = []
        var values: [String] = []
        ends.reserveCapacity(names.count)
        values.reserveCapacity(dictionary.values.reduce(0) { $0 + $1.count })
        for name in names {
            values.append(contentsOf: dictionary[name] ?? dictionary.first { $0.key.lowercased() == name }!.value)
            ends.append(UInt16(clamping: values.count))
        }
        self.ends = ends
        self.values = values
    }

    /// Takes lower-cased `names` in sorted order and their values, one list per name.
    /// `earlier`, a map read before, lends its arrays of names and of value counts where
    /// they are equal: entries of one directory mostly have the same shape.
    public init(names: [String], lists: [[String]], like earlier: AttributeMap? = nil) {
        precondition(names.count == lists.count, "one list of values per name")
        self.names = earlier?.names == names ? earlier!.names : names
        var ends: [UInt16] = []
        ends.reserveCapacity(names.count)
        var values: [String] = []
        values.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in lists {
            values.append(contentsOf: list)
            ends.append(UInt16(clamping: values.count))
        }
        self.ends = earlier?.ends == ends ? earlier!.ends : ends
        self.values = values
    }

    /// Takes lower-cased `names` in sorted order and all their values in one array, those of
    /// `names[i]` ending before `ends[i]`; shares `earlier`'s arrays where they are equal.
    public init(names: [String], values: [String], ends: [UInt16], like earlier: AttributeMap?) {
        precondition(names.count == ends.count, "one end of values per name")
        self.names = earlier?.names == names ? earlier!.names : names
        self.ends = earlier?.ends == ends ? earlier!.ends : ends
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, [String])...) {
        self.init(Dictionary(elements) { first, _ in first })
    }

    /// The values of `name` (lower-case), or nil when the entry has none.
    public subscript(name: String) -> [String]? {
        get {
            guard let index = names.firstIndex(of: name) else { return nil }
            let start = index == 0 ? 0 : Int(ends[index - 1])
            return Array(values[start ..< Int(ends[index])])
        }
        set {
            var dictionary = self.dictionary
            dictionary[name] = newValue
            self = AttributeMap(dictionary)
        }
    }

    /// The values of `name` (lower-case) where they lie, without a copy; nil when the entry
    /// has none.
    public func valuesInPlace(_ name: String) -> ArraySlice<String>? {
        guard let index = names.firstIndex(of: name) else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return values[start ..< Int(ends[index])]
    }

    /// The same content as a dictionary, for code that is not on a hot path.
    public var dictionary: [String: [String]] {
        var dictionary: [String: [String]] = [:]
        for name in names { dictionary[name] = self[name] }
        return dictionary
    }
}

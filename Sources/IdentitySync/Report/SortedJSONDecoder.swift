import Foundation

/// Reads back what SortedJSON wrote, through the types' own Decodable conformances, and
/// strictly: the document must be RFC 8259 JSON in UTF-8 with integers only, no object may
/// name a key twice, and every key must be read by some Decodable (`decode(_:)`), so that a
/// key added by hand is refused instead of ignored.
///
/// Why not JSONDecoder: it turns the whole document into a tree of values before decoding
/// (for a first load's plan of 100,000 people, 525 MB, that took 20 s and most of 1.7 GB),
/// and it ignores keys no type asks for. Here the bytes are scanned once into a flat list of
/// tokens, and strings become Strings only when a Decodable asks for them.
///
/// Values decode as JSONDecoder decodes them: strings to the same scalars (no
/// normalization), keys matched as Swift compares strings, `null` as nil. What this refuses
/// and JSONDecoder takes: duplicate keys, unread keys, numbers with a fraction or exponent,
/// other encodings than UTF-8, and a byte order mark.
public struct SortedJSONDecoder: Sendable {
    let tape: JSONTape

    /// Parses and checks the whole document; throws JSONReadProblem (`.syntax` or
    /// `.duplicateKey`) naming the line, the column and, for a key, its path.
    public init(parsing data: Data) throws {
        tape = try JSONTape(data)
    }

    /// Decodes the document as `type`. With `everyKeyRead` (the default) a key or element
    /// that `type` did not read is a JSONReadProblem of kind `.unreadKey`. Throws
    /// DecodingError where the document does not fit the type.
    public func decode<Value: Decodable>(_ type: Value.Type, everyKeyRead: Bool = true) throws
        -> Value
    {
        try tape.data.withUnsafeBytes { bytes in
            let reading = JSONReading(tape: tape, bytes: bytes)
            let value = try reading.decode(type, at: 0)
            if everyKeyRead { try reading.checkEveryTokenRead() }
            return value
        }
    }

    /// The SHA-256 (hex) of the document as SortedJSON writes it compact, with the string
    /// value of the top-level member `key` empty, taken from the bytes as they are: no value
    /// is decoded or encoded again. For a document SortedJSON wrote (pretty or compact) it
    /// equals the hash of what its decoded value encodes to; for another spelling of the same
    /// values (other escapes, keys in another order) it differs.
    public func compactSHA256(blankingTopLevel key: String) -> String {
        var hash = SHA256()
        tape.compact(blanking: key) { hash.update($0) }
        return hash.hexDigest()
    }

    /// `plan.changes[3].kind: Cannot initialize ChangeKind from invalid String value x`: a
    /// DecodingError with its place, for messages; any other error as it describes itself.
    public static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let (context, what) =
            switch error {
            case .typeMismatch(_, let context): (context, "")
            case .valueNotFound(_, let context): (context, "")
            case .keyNotFound(let key, let context): (context, "no key '\(key.stringValue)'; ")
            case .dataCorrupted(let context): (context, "")
            @unknown default: (DecodingError.Context(codingPath: [], debugDescription: ""), "")
            }
        let steps = context.codingPath.map { key in
            key.intValue.map(JSONTape.Step.index) ?? .key(key.stringValue)
        }
        return JSONTape.text(of: steps) + ": " + what + context.debugDescription
    }
}

/// One decode of a tape: the bytes, and which tokens a Decodable has read so far.
final class JSONReading {
    let tape: JSONTape
    let bytes: UnsafeRawBufferPointer
    /// One flag per token: set when a value is read or its container opened, and for a key
    /// when its value is asked for.
    let read: UnsafeMutableBufferPointer<UInt8>

    init(tape: JSONTape, bytes: UnsafeRawBufferPointer) {
        self.tape = tape
        self.bytes = bytes
        read = .allocate(capacity: tape.tokens.count)
        read.initialize(repeating: 0)
    }

    deinit {
        read.deallocate()
    }

    func token(_ index: Int) -> JSONToken {
        tape.tokens[index]
    }

    func markRead(_ index: Int) {
        read[index] = 1
    }

    /// Refuses the first token in document order that nothing read: it is the outermost of
    /// what was not read, since a container comes before what it holds.
    func checkEveryTokenRead() throws {
        guard let unread = read.firstIndex(of: 0) else { return }
        let text =
            tape.path(to: unread, in: bytes).atKey
            ? "a key the document's type does not have"
            : "a value the document's type does not read"
        throw tape.problem(.unreadKey, text, at: unread, bytes)
    }

    /// The coding path of the value at `index`, for errors.
    func codingPath(to index: Int) -> [CodingKey] {
        tape.path(to: index, in: bytes).steps.map { step in
            switch step {
            case .key(let key): PathKey(stringValue: key)
            case .index(let index): PathKey(intValue: index)
            }
        }
    }

    func context(_ index: Int, _ text: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: codingPath(to: index), debugDescription: text)
    }

    // MARK: Values

    func decode<Value: Decodable>(_ type: Value.Type, at index: Int) throws -> Value {
        // The leaves most plans are made of skip the decoder's machinery.
        if Value.self == String.self { return try string(at: index) as! Value }
        if Value.self == [String].self { return try strings(at: index) as! Value }
        return try Value(from: TapeDecoder(reading: self, index: index))
    }

    func string(at index: Int) throws -> String {
        try expect(.string, String.self, at: index)
        return tape.string(at: index, in: bytes)
    }

    private func strings(at index: Int) throws -> [String] {
        try expect(.array, [String].self, at: index)
        var strings: [String] = []
        strings.reserveCapacity(Int(token(index).count))
        var element = index + 1
        while element < token(index).end {
            strings.append(try string(at: element))
            element = tape.skip(element)
        }
        return strings
    }

    func bool(at index: Int) throws -> Bool {
        let kind = token(index).kind
        guard kind == .true || kind == .false else {
            try expect(.true, Bool.self, at: index)
            return false
        }
        markRead(index)
        return kind == .true
    }

    func isNull(at index: Int) -> Bool {
        guard token(index).kind == .null else { return false }
        markRead(index)
        return true
    }

    /// An integer of the type asked for; a number outside its range is an error.
    func integer<Value: FixedWidthInteger>(_ type: Value.Type, at index: Int) throws -> Value {
        try expect(.number, type, at: index)
        let token = token(index)
        let digits = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        let negative = digits.first == UInt8(ascii: "-")
        var value: Value = 0
        for digit in digits.dropFirst(negative ? 1 : 0) {
            let step = Value(digit - UInt8(ascii: "0"))
            let (times, over) = value.multipliedReportingOverflow(by: 10)
            let (sum, past) =
                negative ? times.subtractingReportingOverflow(step)
                : times.addingReportingOverflow(step)
            guard !over, !past else {
                throw DecodingError.dataCorrupted(context(index,
                    "the number \(String(decoding: digits, as: UTF8.self)) does not fit \(type)"))
            }
            value = sum
        }
        return value
    }

    /// Marks the token read if it is of `kind`; throws what JSONDecoder throws if not.
    private func expect(_ kind: JSONToken.Kind, _ type: Any.Type, at index: Int) throws {
        let found = token(index).kind
        guard found != kind else { return markRead(index) }
        if found == .null {
            throw DecodingError.valueNotFound(type, context(index,
                "expected \(JSONReading.name(of: kind)) but found null"))
        }
        throw DecodingError.typeMismatch(type, context(index,
            "expected \(JSONReading.name(of: kind)) but found \(JSONReading.name(of: found))"))
    }

    static func name(of kind: JSONToken.Kind) -> String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "an integer"
        case .true, .false: "a boolean"
        case .null: "null"
        }
    }

    func floatingPoint(_ type: Any.Type, at index: Int) -> DecodingError {
        .typeMismatch(type, context(index, "saved plans hold no floating-point numbers"))
    }

    // MARK: Containers

    func object(at index: Int) throws {
        try expect(.object, [String: Any].self, at: index)
    }

    func array(at index: Int) throws {
        try expect(.array, [Any].self, at: index)
    }

    /// Whether the key token at `key` names `name` as Swift compares strings. Plain ASCII
    /// keys equal exactly when their bytes do; others (escaped, or U+212A KELVIN SIGN, which
    /// equals "K") are decoded and compared as Strings, as JSONDecoder matches them.
    func key(at key: Int, is name: String) -> Bool {
        let token = token(key)
        var name = name
        if !token.escaped {
            let (same, ascii) = name.withUTF8 { utf8 in
                let same = utf8.count == token.end - token.start
                    && memcmp(bytes.baseAddress! + token.start, utf8.baseAddress!, utf8.count) == 0
                return (same, utf8.allSatisfy { $0 < 0x80 })
            }
            if same { return true }
            if ascii && !token.wide { return false }
        }
        return tape.string(at: key, in: bytes) == name
    }
}

/// A key of a coding path rebuilt from the tape.
struct PathKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

/// The Decoder a value's `init(from:)` reads: the token at `index`.
struct TapeDecoder: Decoder {
    let reading: JSONReading
    let index: Int
    var codingPath: [CodingKey] { reading.codingPath(to: index) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try reading.object(at: index)
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(reading: reading, object: index))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        try reading.array(at: index)
        return TapeUnkeyedContainer(reading: reading, array: index)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        TapeSingleValueContainer(reading: reading, index: index)
    }
}

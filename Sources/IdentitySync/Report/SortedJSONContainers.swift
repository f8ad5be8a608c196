import Foundation

/// The members of one object, looked up by key.
///
/// A class, so that a lookup can start where the last one ended: a Dictionary asks for its
/// keys in document order (a plan's `targets` has one member per entry and membership the
/// plan changes), and each of them is then found in one step.
final class TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reading: JSONReading
    let object: Int
    /// The key token the last lookup found.
    private var cursor: Int

    init(reading: JSONReading, object: Int) {
        self.reading = reading
        self.object = object
        cursor = object + 1
    }

    var codingPath: [CodingKey] { reading.codingPath(to: object) }

    var allKeys: [Key] {
        reading.tape.keys(of: object).compactMap { key in
            Key(stringValue: reading.tape.string(at: key, in: reading.bytes))
        }
    }

    /// The key token of `key`, from the cursor round to it.
    private func find(_ key: Key) -> Int? {
        let end = reading.token(object).end
        guard object + 1 < end else { return nil }
        let name = key.stringValue
        var position = cursor
        for _ in 0..<reading.token(object).count {
            if reading.key(at: position, is: name) {
                cursor = position
                return position
            }
            position = reading.tape.skip(position + 1)
            if position == end { position = object + 1 }
        }
        return nil
    }

    /// The value token of `key`, its key marked read; keyNotFound if the object lacks it.
    private func value(_ key: Key) throws -> Int {
        guard let found = find(key) else {
            throw DecodingError.keyNotFound(key, reading.context(object,
                "no value for the key '\(key.stringValue)'"))
        }
        return taken(found)
    }

    /// The value token after the key token `found`, the key marked read.
    private func taken(_ found: Int) -> Int {
        reading.markRead(found)
        return found + 1
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { reading.isNull(at: try value(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try reading.bool(at: value(key))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try reading.string(at: value(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        throw reading.floatingPoint(type, at: try value(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        throw reading.floatingPoint(type, at: try value(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<Value: FixedWidthInteger>(_ type: Value.Type, _ key: Key) throws -> Value {
        try reading.integer(type, at: value(key))
    }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        try reading.decode(type, at: value(key))
    }

    /// One lookup instead of the three of the default (contains, decodeNil, decode).
    func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard let found = find(key).map(taken) else { return nil }
        return reading.isNull(at: found) ? nil : try reading.decode(type, at: found)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let found = find(key).map(taken) else { return nil }
        return reading.isNull(at: found) ? nil : try reading.string(at: found)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(reading: reading, index: value(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try TapeDecoder(reading: reading, index: value(key)).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder {
        guard let key = Key(stringValue: "super") else {
            throw DecodingError.keyNotFound(PathKey(stringValue: "super"),
                                            reading.context(object, "no key 'super'"))
        }
        return try superDecoder(forKey: key)
    }

    func superDecoder(forKey key: Key) throws -> Decoder {
        TapeDecoder(reading: reading, index: try value(key))
    }
}

/// A value read alone, or the next element of an array: their scalars are read alike.
protocol TapeScalarReading {
    var reading: JSONReading { get }
    /// The token to read, taken: an unkeyed container moves on to the next element.
    func take() throws -> Int
}

extension TapeScalarReading {
    func decode(_ type: Bool.Type) throws -> Bool { try reading.bool(at: take()) }
    func decode(_ type: String.Type) throws -> String { try reading.string(at: take()) }
    func decode(_ type: Double.Type) throws -> Double {
        throw reading.floatingPoint(type, at: try take())
    }
    func decode(_ type: Float.Type) throws -> Float {
        throw reading.floatingPoint(type, at: try take())
    }
    func decode(_ type: Int.Type) throws -> Int { try reading.integer(type, at: take()) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reading.integer(type, at: take()) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reading.integer(type, at: take()) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reading.integer(type, at: take()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reading.integer(type, at: take()) }
    func decode(_ type: UInt.Type) throws -> UInt { try reading.integer(type, at: take()) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reading.integer(type, at: take()) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reading.integer(type, at: take()) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reading.integer(type, at: take()) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reading.integer(type, at: take()) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try reading.decode(type, at: take())
    }
}

struct TapeSingleValueContainer: SingleValueDecodingContainer, TapeScalarReading {
    let reading: JSONReading
    let index: Int
    var codingPath: [CodingKey] { reading.codingPath(to: index) }

    func take() -> Int { index }

    func decodeNil() -> Bool { reading.isNull(at: index) }
}

/// The elements of one array, in order. A class, so that its scalar reads can move on.
final class TapeUnkeyedContainer: UnkeyedDecodingContainer, TapeScalarReading {
    let reading: JSONReading
    let array: Int
    /// The token of the next element.
    private var position: Int
    private(set) var currentIndex = 0

    init(reading: JSONReading, array: Int) {
        self.reading = reading
        self.array = array
        position = array + 1
    }

    var codingPath: [CodingKey] { reading.codingPath(to: array) }
    var count: Int? { Int(reading.token(array).count) }
    var isAtEnd: Bool { position >= reading.token(array).end }

    func take() throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, reading.context(array,
                "the array has no element \(currentIndex)"))
        }
        let element = position
        position = reading.tape.skip(position)
        currentIndex += 1
        return element
    }

    func decodeNil() throws -> Bool {
        guard !isAtEnd, reading.isNull(at: position) else { return false }
        _ = try take()
        return true
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(reading: reading, index: take()).container(keyedBy: type)
    }

    func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        try TapeDecoder(reading: reading, index: take()).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder {
        TapeDecoder(reading: reading, index: try take())
    }
}

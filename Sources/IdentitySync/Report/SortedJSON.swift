import Foundation

/// Writes an Encodable value as JSON with its keys sorted, byte for byte as Foundation's
/// JSONEncoder does with `.sortedKeys` and `.withoutEscapingSlashes` (and `.prettyPrinted`
/// when asked), so that saved plans and their content hashes are unchanged.
///
/// Why not JSONEncoder: it builds a tree of every value first and sorts each object's keys
/// as strings; for the plan of a first load of 100,000 people (430,000 changes) it took 31 s
/// of CPU and 2.9 GB. Here every value is written into one growing buffer as it is encoded,
/// and an object whose members came in another order than their keys' is rewritten in place
/// once it is complete. Only what plans hold is supported: strings, integers, booleans, nil,
/// arrays and objects; a floating-point number is refused rather than written differently.
public enum SortedJSON {
    public static func render<Value: Encodable>(_ value: Value, pretty: Bool) throws -> [UInt8] {
        let output = JSONOutput(pretty: pretty)
        try output.write(value, depth: 0)
        return output.bytes
    }

    static func unsupported<Value: BinaryFloatingPoint>(_ value: Value,
                                                        _ path: [CodingKey]) -> EncodingError {
        EncodingError.invalidValue(value, .init(codingPath: path,
            debugDescription: "SortedJSON writes no floating-point numbers"))
    }
}

/// The buffer every value of one document is written into.
final class JSONOutput {
    let pretty: Bool
    var bytes: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
    }

    /// Writes `value` at the end of the buffer; `depth` is how deep it sits, for indentation.
    func write<Value: Encodable>(_ value: Value, depth: Int) throws {
        // The leaves most plans are made of skip the encoder's machinery.
        if let text = value as? String { return quote(text) }
        if let texts = value as? [String] { return strings(texts, depth: depth) }

        let encoder = StreamingJSONEncoder(output: self, depth: depth)
        try value.encode(to: encoder)
        try encoder.finish()
    }

    /// `"text"` with the escapes JSONEncoder writes: the short forms for \b \t \n \f \r,
    /// `\u00xx` (lower-case hex) for the other C0 controls, and `\"` and `\\`; everything
    /// else, slashes and non-ASCII included, as it is.
    func quote(_ text: String) {
        quote(utf8: text.utf8)
    }

    func quote<Text: Collection<UInt8>>(utf8 text: Text) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        // Most values need no escape: copied whole.
        let needsEscape = { (byte: UInt8) in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        guard text.contains(where: needsEscape) else {
            bytes += text
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape(byte)
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += "\\u00".utf8
                bytes += [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
    }

    private func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(byte)
    }

    func scalar(_ text: String) {
        bytes += text.utf8
    }

    /// An array of strings, written directly (attribute values, a reason's fields).
    func strings(_ texts: [String], depth: Int) {
        bytes.append(UInt8(ascii: "["))
        for (index, text) in texts.enumerated() {
            separate(first: index == 0, depth: depth + 1)
            quote(text)
        }
        close("]", empty: texts.isEmpty, depth: depth)
    }

    /// Before a member or element: the comma after the one before, then the line break and
    /// indentation when pretty.
    func separate(first: Bool, depth: Int) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes += repeatElement(UInt8(ascii: " "), count: 2 * depth)
    }

    func colon() {
        if pretty {
            bytes += [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")]
        } else {
            bytes.append(UInt8(ascii: ":"))
        }
    }

    /// Ends an array or object: JSONEncoder writes an empty one across an empty line.
    func close(_ bracket: Unicode.Scalar, empty: Bool, depth: Int) {
        if pretty {
            if empty { bytes.append(UInt8(ascii: "\n")) }
            bytes.append(UInt8(ascii: "\n"))
            bytes += repeatElement(UInt8(ascii: " "), count: 2 * depth)
        }
        bytes.append(UInt8(ascii: bracket))
    }
}

/// The Encoder that one value's `encode(to:)` fills: an object, an array or a single value.
final class StreamingJSONEncoder: Encoder {
    let output: JSONOutput
    let depth: Int
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    /// Set once `encode(to:)` asked for a container; a value may ask for the same one twice.
    var object: JSONObjectWriter?
    var array: JSONArrayWriter?
    var wroteSingle = false

    init(output: JSONOutput, depth: Int) {
        self.output = output
        self.depth = depth
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let writer = object ?? JSONObjectWriter(output: output, depth: depth)
        object = writer
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(writer: writer))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let writer = array ?? JSONArrayWriter(output: output, depth: depth)
        array = writer
        return JSONUnkeyedContainer(writer: writer)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        JSONSingleContainer(encoder: self)
    }

    func finish() throws {
        if let object { return try object.finish() }
        if let array { return try array.finish() }
        // A value that encoded nothing: JSONEncoder writes an empty object for it.
        if !wroteSingle { try JSONObjectWriter(output: output, depth: depth).finish() }
    }
}

/// An object being written: its members go into the buffer in the order they are encoded,
/// and are put in key order when the object is finished.
final class JSONObjectWriter {
    let output: JSONOutput
    let depth: Int
    /// Where the object's `{` is.
    let start: Int
    /// Each member's key and where its value lies: in the buffer, or in the output of a
    /// nested container handed out before its value was known (rare).
    var members: [(key: [UInt8], value: MemberValue)] = []
    var pending: [(encoder: StreamingJSONEncoder, output: JSONOutput)] = []

    enum MemberValue {
        case written(Range<Int>)
        case later(Int)
    }

    init(output: JSONOutput, depth: Int) {
        self.output = output
        self.depth = depth
        start = output.bytes.count
        output.bytes.append(UInt8(ascii: "{"))
    }

    func add(_ key: String, _ write: () throws -> Void) rethrows {
        let from = output.bytes.count
        try write()
        members.append((Array(key.utf8), .written(from..<output.bytes.count)))
    }

    func later(_ key: String) -> StreamingJSONEncoder {
        let own = JSONOutput(pretty: output.pretty)
        let encoder = StreamingJSONEncoder(output: own, depth: depth + 1)
        members.append((Array(key.utf8), .later(pending.count)))
        pending.append((encoder, own))
        return encoder
    }

    /// Rewrites the values written after the `{` as members in key order, with their
    /// separators and keys.
    func finish() throws {
        for (encoder, _) in pending { try encoder.finish() }
        let values = Array(output.bytes[(start + 1)...])
        let order = members.indices.sorted {
            JSONObjectWriter.precedes(members[$0].key, members[$1].key)
        }

        output.bytes.removeSubrange((start + 1)...)
        for (index, position) in order.enumerated() {
            output.separate(first: index == 0, depth: depth + 1)
            output.quote(utf8: members[position].key)
            output.colon()
            switch members[position].value {
            case .written(let range):
                output.bytes += values[(range.lowerBound - start - 1)..<(range.upperBound - start - 1)]
            case .later(let index): output.bytes += pending[index].output.bytes
            }
        }
        output.close("}", empty: members.isEmpty, depth: depth)
    }

    /// Byte order of UTF-8, which is the order of the keys' code points: JSONEncoder's.
    static func precedes(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        let shared = min(left.count, right.count)
        guard shared > 0 else { return left.count < right.count }
        let compared = left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in memcmp(l.baseAddress!, r.baseAddress!, shared) }
        }
        return compared != 0 ? compared < 0 : left.count < right.count
    }
}

/// An array being written: its elements go into the buffer in order.
final class JSONArrayWriter {
    let output: JSONOutput
    let depth: Int
    var count = 0
    /// A nested container handed out inside the array (rare) is written at the end, into
    /// its place: the byte offset where its element begins.
    var pending: [(offset: Int, encoder: StreamingJSONEncoder, output: JSONOutput)] = []

    init(output: JSONOutput, depth: Int) {
        self.output = output
        self.depth = depth
        output.bytes.append(UInt8(ascii: "["))
    }

    func add(_ write: () throws -> Void) rethrows {
        output.separate(first: count == 0, depth: depth + 1)
        count += 1
        try write()
    }

    func later() -> StreamingJSONEncoder {
        let own = JSONOutput(pretty: output.pretty)
        let encoder = StreamingJSONEncoder(output: own, depth: depth + 1)
        add {}
        pending.append((output.bytes.count, encoder, own))
        return encoder
    }

    func finish() throws {
        // Later offsets first, so that an insertion does not move the places still to fill.
        for (offset, encoder, own) in pending.reversed() {
            try encoder.finish()
            output.bytes.insert(contentsOf: own.bytes, at: offset)
        }
        output.close("]", empty: count == 0, depth: depth)
    }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONObjectWriter
    var codingPath: [CodingKey] = []

    private func put(_ text: String, _ key: Key) {
        writer.add(key.stringValue) { writer.output.scalar(text) }
    }

    mutating func encodeNil(forKey key: Key) throws { put("null", key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        put(value ? "true" : "false", key)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        writer.add(key.stringValue) { writer.output.quote(value) }
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        throw SortedJSON.unsupported(value, codingPath)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        throw SortedJSON.unsupported(value, codingPath)
    }

    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        try writer.add(key.stringValue) { try writer.output.write(value, depth: writer.depth + 1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        writer.later(key.stringValue).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        writer.later(key.stringValue).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { writer.later("super") }

    mutating func superEncoder(forKey key: Key) -> Encoder { writer.later(key.stringValue) }
}

struct JSONUnkeyedContainer: UnkeyedEncodingContainer, JSONScalarPutting {
    let writer: JSONArrayWriter
    var codingPath: [CodingKey] = []
    var count: Int { writer.count }

    func put(_ text: String) {
        writer.add { writer.output.scalar(text) }
    }

    mutating func encode(_ value: String) throws { writer.add { writer.output.quote(value) } }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try writer.add { try writer.output.write(value, depth: writer.depth + 1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        writer.later().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        writer.later().unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { writer.later() }
}

struct JSONSingleContainer: SingleValueEncodingContainer, JSONScalarPutting {
    let encoder: StreamingJSONEncoder
    var codingPath: [CodingKey] = []

    func put(_ text: String) {
        encoder.wroteSingle = true
        encoder.output.scalar(text)
    }

    mutating func encode(_ value: String) throws {
        encoder.wroteSingle = true
        encoder.output.quote(value)
    }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        encoder.wroteSingle = true
        try encoder.output.write(value, depth: encoder.depth)
    }
}

/// An unkeyed or single-value container: its scalars are written alike, through `put`.
protocol JSONScalarPutting {
    var codingPath: [CodingKey] { get }
    func put(_ text: String)
}

extension JSONScalarPutting {
    mutating func encodeNil() throws { put("null") }
    mutating func encode(_ value: Bool) throws { put(value ? "true" : "false") }
    mutating func encode(_ value: Int) throws { put(String(value)) }
    mutating func encode(_ value: Int8) throws { put(String(value)) }
    mutating func encode(_ value: Int16) throws { put(String(value)) }
    mutating func encode(_ value: Int32) throws { put(String(value)) }
    mutating func encode(_ value: Int64) throws { put(String(value)) }
    mutating func encode(_ value: UInt) throws { put(String(value)) }
    mutating func encode(_ value: UInt8) throws { put(String(value)) }
    mutating func encode(_ value: UInt16) throws { put(String(value)) }
    mutating func encode(_ value: UInt32) throws { put(String(value)) }
    mutating func encode(_ value: UInt64) throws { put(String(value)) }
    mutating func encode(_ value: Double) throws { throw SortedJSON.unsupported(value, codingPath) }
    mutating func encode(_ value: Float) throws { throw SortedJSON.unsupported(value, codingPath) }
}

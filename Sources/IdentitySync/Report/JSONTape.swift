import Foundation

/// One value of a parsed JSON document, or one key of an object, in document order.
///
/// An object is followed by its members, each a key (a string token) and its value; an array
/// by its elements. A container's `end` is the index of the token after its last one, so
/// skipping a value of any size is one step.
struct JSONToken: Sendable {
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    var kind: Kind
    /// A string with a backslash escape in it: decoded on the slow path.
    var escaped = false
    /// A string with a byte above 0x7F in it: compared as a Swift String, not as bytes.
    var wide = false
    /// An object's members or an array's elements.
    var count: UInt32 = 0
    /// Offsets and indexes in 32 bits, so that a token takes 16 bytes: a saved plan has one
    /// token for about every 22 bytes. JSONTape refuses a document of 4 GiB or more.
    private var from: UInt32
    private var to: UInt32

    init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        from = UInt32(truncatingIfNeeded: start)
        to = UInt32(truncatingIfNeeded: end)
    }

    /// Where the value starts: a container's bracket, a number's first byte, or the first
    /// byte after a string's opening quote.
    var start: Int { Int(from) }
    /// For a string or number, the offset just past its last byte (a string's closing
    /// quote); for a container, the index of the token after its last one.
    var end: Int {
        get { Int(to) }
        set { to = UInt32(truncatingIfNeeded: newValue) }
    }

    var isContainer: Bool { kind == .object || kind == .array }
    /// A string that equals another exactly when its bytes do.
    var isPlain: Bool { !escaped && !wide }
}

/// Why a document was refused: what is wrong, and where.
public struct JSONReadProblem: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Not JSON as RFC 8259 defines it, or a number with a fraction or an exponent.
        case syntax
        /// An object names the same key twice (as Swift compares strings).
        case duplicateKey
        /// A key (or an array element) that no Decodable read: not part of the type.
        case unreadKey
    }

    public let kind: Kind
    /// Where in the document, as `plan.changes[3].kind`; empty for a syntax error.
    public let path: String
    public let line: Int
    public let column: Int
    /// What is wrong, without the place.
    public let text: String

    public var description: String {
        let place = path.isEmpty ? "" : "\(path) "
        return "\(place)(line \(line), column \(column)): \(text)"
    }
}

/// A whole document parsed into tokens, checked against RFC 8259 (UTF-8 only), with integers
/// only and no key twice in one object. Strings and numbers stay bytes until they are read.
final class JSONTape: Sendable {
    /// Deeper documents are refused before they can exhaust a stack; JSONDecoder has the
    /// same limit, and a plan is seven levels deep.
    static let maximumDepth = 512

    let data: Data
    /// A constant: read on every step of a decode, without the exclusivity checks a
    /// variable of a class takes.
    let tokens: [JSONToken]

    /// The largest document read, so that offsets fit the tokens' 32 bits.
    static let maximumSize = Int(UInt32.max) - 1

    init(_ data: Data) throws {
        self.data = data
        guard data.count <= JSONTape.maximumSize else {
            throw JSONReadProblem(kind: .syntax, path: "", line: 1, column: 1,
                                  text: "the document has 4 GiB or more; this reader takes less")
        }
        tokens = try data.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes: bytes)
            do {
                try scanner.scanDocument()
            } catch let failure as JSONScanner.Failure {
                throw JSONTape.problem(.syntax, failure.text, offset: failure.offset, in: bytes)
            }
            return scanner.tokens
        }
        try data.withUnsafeBytes(checkKeysOnce)
    }

    /// The index of the token after the value at `index`.
    func skip(_ index: Int) -> Int {
        tokens[index].isContainer ? tokens[index].end : index + 1
    }

    /// The key tokens of the object at `index`, in document order.
    func keys(of object: Int) -> [Int] {
        var keys: [Int] = []
        keys.reserveCapacity(Int(tokens[object].count))
        var key = object + 1
        while key < tokens[object].end {
            keys.append(key)
            key = skip(key + 1)
        }
        return keys
    }

    /// The string at `index` decoded: escapes resolved, bytes as they are otherwise.
    func string(at index: Int, in bytes: UnsafeRawBufferPointer) -> String {
        let token = tokens[index]
        let raw = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.escaped else { return String(decoding: raw, as: UTF8.self) }
        return JSONScanner.unescape(raw)
    }

    /// Refuses an object that names a key twice. Keys compare as Swift strings do (so that
    /// `é` and `e` + U+0301 are one key), because that is how a Dictionary or a CodingKey
    /// would see them; plain ASCII keys compare as bytes, which is the same and faster.
    private func checkKeysOnce(_ bytes: UnsafeRawBufferPointer) throws {
        for object in tokens.indices where tokens[object].kind == .object {
            guard tokens[object].count > 1 else { continue }
            let keys = keys(of: object)
            let plain = keys.count <= 8 && keys.allSatisfy { tokens[$0].isPlain }
            let twice = plain ? repeatedPlainKey(keys, bytes) : repeatedKey(keys, bytes)
            guard let twice else { continue }
            throw problem(.duplicateKey, "this key appears twice in one object", at: twice, bytes)
        }
    }

    private func repeatedPlainKey(_ keys: [Int], _ bytes: UnsafeRawBufferPointer) -> Int? {
        for later in keys.indices.dropFirst() {
            for earlier in 0..<later where same(keys[earlier], keys[later], bytes) {
                return keys[later]
            }
        }
        return nil
    }

    private func repeatedKey(_ keys: [Int], _ bytes: UnsafeRawBufferPointer) -> Int? {
        var seen: Set<String> = []
        seen.reserveCapacity(keys.count)
        return keys.first { !seen.insert(string(at: $0, in: bytes)).inserted }
    }

    private func same(_ left: Int, _ right: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let one = tokens[left]
        let other = tokens[right]
        guard one.end - one.start == other.end - other.start else { return false }
        return memcmp(bytes.baseAddress! + one.start, bytes.baseAddress! + other.start,
                      one.end - one.start) == 0
    }

    // MARK: Places

    /// One step of the way from the top of the document to a token.
    enum Step {
        case key(String)
        case index(Int)
    }

    /// The way to `target` from the top, and whether `target` is a key token (whose own key
    /// is then the last step).
    func path(to target: Int, in bytes: UnsafeRawBufferPointer) -> (steps: [Step], atKey: Bool) {
        var steps: [Step] = []
        var container = 0
        while container != target, tokens[container].isContainer {
            guard let (step, value) = child(of: container, holding: target, bytes) else { break }
            steps.append(step)
            // A member's value follows its key: one past the target, the target is the key.
            if value == target + 1 { return (steps, true) }
            container = value
        }
        return (steps, false)
    }

    /// The member or element of `container` that holds `target`, and its value's index.
    private func child(of container: Int, holding target: Int,
                       _ bytes: UnsafeRawBufferPointer) -> (Step, Int)? {
        let isObject = tokens[container].kind == .object
        var position = container + 1
        var index = 0
        while position < tokens[container].end {
            let value = isObject ? position + 1 : position
            let next = skip(value)
            if target < next {
                let step = isObject ? Step.key(string(at: position, in: bytes)) : .index(index)
                return (step, value)
            }
            position = next
            index += 1
        }
        return nil
    }

    /// `plan.changes[3].kind`: keys that are not plain words are quoted as JSON strings, and
    /// a very long key is cut, so that a hostile key cannot flood or garble a message.
    static func text(of steps: [Step]) -> String {
        var text = ""
        for step in steps {
            switch step {
            case .index(let index): text += "[\(index)]"
            case .key(let key) where isWord(key): text += (text.isEmpty ? "" : ".") + key
            case .key(let key):
                let cut = key.count > 60 ? String(key.prefix(60)) + "…" : key
                let output = JSONOutput(pretty: false)
                output.quote(cut)
                text += "[" + String(decoding: output.bytes, as: UTF8.self) + "]"
            }
        }
        return text.isEmpty ? "(the top level)" : text
    }

    private static func isWord(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 60
            && key.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    func problem(_ kind: JSONReadProblem.Kind, _ text: String, at token: Int,
                 _ bytes: UnsafeRawBufferPointer) -> JSONReadProblem {
        let offset = tokens[token].kind == .string ? tokens[token].start - 1 : tokens[token].start
        let path = JSONTape.text(of: path(to: token, in: bytes).steps)
        return JSONTape.problem(kind, text, offset: offset, in: bytes, path: path)
    }

    /// Line and column (counted in characters of UTF-8, from 1) of a byte offset.
    static func problem(_ kind: JSONReadProblem.Kind, _ text: String, offset: Int,
                        in bytes: UnsafeRawBufferPointer, path: String = "") -> JSONReadProblem {
        let before = bytes.prefix(offset)
        let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        let line = before.count { $0 == UInt8(ascii: "\n") } + 1
        let column = bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 } + 1
        return JSONReadProblem(kind: kind, path: path, line: line, column: column, text: text)
    }
}

// MARK: The document again, compact

extension JSONTape {
    /// One open array or object while the document is written again.
    private struct Frame {
        let end: Int
        let closing: UInt8
        let isObject: Bool
        var first = true
        /// In an object: whether the next token is a key.
        var atKey = true
    }

    /// Hands over the document without the white space between its tokens, each token's
    /// bytes as the file has them, in chunks: the bytes SortedJSON writes compact for what
    /// it wrote pretty. The value of the top-level member `blank` is written as `""`.
    func compact(blanking blank: String, into take: (UnsafeRawBufferPointer) -> Void) {
        withoutActuallyEscaping(take) { take in
            data.withUnsafeBytes { bytes in
                compact(blanking: blank, bytes, ChunkedOutput(take: take))
            }
        }
    }

    private func compact(blanking blank: String, _ bytes: UnsafeRawBufferPointer,
                         _ output: ChunkedOutput) {
        var output = output
        var frames: [Frame] = []
        var blankNext = false
        for index in tokens.indices {
            while let frame = frames.last, frame.end == index {
                output.append(frame.closing)
                frames.removeLast()
            }
            if !frames.isEmpty, member(&frames[frames.count - 1], index, bytes, &output) {
                blankNext = frames.count == 1 && keyIs(index, blank, bytes)
                continue
            }
            if blankNext && tokens[index].kind == .string {
                output.append(UInt8(ascii: "\""))
                output.append(UInt8(ascii: "\""))
            } else {
                value(index, bytes, &frames, &output)
            }
            blankNext = false
        }
        for frame in frames.reversed() { output.append(frame.closing) }
        output.flush()
    }

    /// The separator before a member or element; true when the token was a key (written
    /// with its colon), false when a value follows.
    private func member(_ frame: inout Frame, _ index: Int, _ bytes: UnsafeRawBufferPointer,
                        _ output: inout ChunkedOutput) -> Bool {
        if frame.isObject && !frame.atKey {
            frame.atKey = true
            return false
        }
        if !frame.first { output.append(UInt8(ascii: ",")) }
        frame.first = false
        guard frame.isObject else { return false }
        frame.atKey = false
        output.append(contentsOf: quoted(index, bytes))
        output.append(UInt8(ascii: ":"))
        return true
    }

    private func value(_ index: Int, _ bytes: UnsafeRawBufferPointer, _ frames: inout [Frame],
                       _ output: inout ChunkedOutput) {
        let token = tokens[index]
        switch token.kind {
        case .object, .array:
            let isObject = token.kind == .object
            output.append(UInt8(ascii: isObject ? "{" : "["))
            frames.append(Frame(end: token.end, closing: UInt8(ascii: isObject ? "}" : "]"),
                                isObject: isObject))
        case .string:
            output.append(contentsOf: quoted(index, bytes))
        default:
            output.append(contentsOf: UnsafeRawBufferPointer(
                rebasing: bytes[token.start..<token.end]))
        }
    }

    /// A string token with its quotes.
    private func quoted(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(tokens[index].start - 1)...tokens[index].end])
    }

    private func keyIs(_ index: Int, _ name: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        tokens[index].isPlain
            && Array(UnsafeRawBufferPointer(
                rebasing: bytes[tokens[index].start..<tokens[index].end])) == Array(name.utf8)
    }
}

/// Bytes gathered into 64 KiB chunks before they are handed over.
private struct ChunkedOutput {
    let take: (UnsafeRawBufferPointer) -> Void
    var chunk: [UInt8] = []

    init(take: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.take = take
        chunk.reserveCapacity(1 << 16)
    }

    mutating func append(_ byte: UInt8) {
        chunk.append(byte)
        if chunk.count >= 1 << 16 { flush() }
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        chunk.append(contentsOf: bytes)
        if chunk.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        chunk.withUnsafeBytes(take)
        chunk.removeAll(keepingCapacity: true)
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// SortedJSONDecoder must decode what SortedJSON wrote to the values JSONDecoder gives, and
/// must never take a document that JSONDecoder would decode to other values: it refuses
/// instead (duplicate and unread keys, floats, anything RFC 8259 refuses).
@Suite struct SortedJSONDecoderTests {
    typealias Sample = SortedJSONTests.Sample

    func ours<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws -> Value {
        try SortedJSONDecoder(parsing: Data(bytes)).decode(type)
    }

    func ours<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try ours(type, Array(text.utf8))
    }

    func foundation<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Values compare by what SortedJSON writes for them: equal bytes, equal values.
    func bytes<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        try SortedJSON.render(value, pretty: false)
    }

    /// Decodes `written` with both decoders; both must give `original` back.
    func expectBothGiveBack<Value: Codable>(
        _ original: Value, from written: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = try bytes(original)
        #expect(try bytes(ours(Value.self, written)) == expected, sourceLocation: sourceLocation)
        #expect(try bytes(foundation(Value.self, written)) == expected,
                sourceLocation: sourceLocation)
    }

    func refusal(_ text: String) -> JSONReadProblem? {
        refusal(Array(text.utf8))
    }

    func refusal(_ bytes: [UInt8]) -> JSONReadProblem? {
        do {
            _ = try SortedJSONDecoder(parsing: Data(bytes))
            return nil
        } catch {
            return error as? JSONReadProblem
        }
    }

    // MARK: What SortedJSON writes

    @Test(arguments: [false, true])
    func hostileStringsAndEveryShapeDecodeAsJSONDecoderDecodesThem(pretty: Bool) throws {
        let written = try SortedJSON.render(SortedJSONTests.sample, pretty: pretty)
        try expectBothGiveBack(SortedJSONTests.sample, from: written)
        let decoded = try ours(Sample.self, written)
        #expect(decoded.text.unicodeScalars.elementsEqual(SortedJSONTests.hostile.unicodeScalars))
        #expect(decoded.wide == .max && decoded.code == -68 && decoded.missing == nil)
    }

    @Test(arguments: [false, true])
    func aWholePlanDocumentWithOutcomesDecodesAsJSONDecoderDecodesIt(pretty: Bool) throws {
        let day = ReportDay()
        let outcomes = day.plan.changes.prefix(3).enumerated().map { index, change in
            ChangeOutcome(
                change: change,
                failure: index == 1 ? DirectoryFailure(code: -1, message: "server down") : nil,
                skipped: index == 2 ? "held" : nil)
        }
        let document = PlanDocument(
            plan: day.plan, directory: day.directory,
            createdAt: Fixtures.instant("2024-03-15T17:05:00Z"),
            redacted: ["termination_date"], outcomes: outcomes)

        try expectBothGiveBack(document, from: try SortedJSON.render(document, pretty: pretty))
        let decoded = try ours(PlanDocument.self, try SortedJSON.render(document, pretty: pretty))
        #expect(decoded.plan.changes == day.plan.changes)
        #expect(decoded.targets == document.targets && decoded.outcomes?.count == 3)
    }

    /// Changes with strings drawn from every range that needs care: controls, quotes and
    /// backslashes, Latin-1, combining marks, the line separators, a BOM, noncharacters and
    /// characters outside the BMP (written as four bytes, or by others as surrogate pairs).
    @Test(arguments: [1, 2, 3, 4])
    func generatedChangesDecodeAsJSONDecoderDecodesThem(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let changes = (0..<150).map { _ in random.change() }

        for pretty in [false, true] {
            try expectBothGiveBack(changes, from: try SortedJSON.render(changes, pretty: pretty))
        }
        #expect(try ours([Change].self, try bytes(changes)) == changes)
    }

    /// Escapes SortedJSON never writes but RFC 8259 allows: decoded to the same scalars.
    @Test(arguments: [
        #"["\u00e9", "\u00E9", "e\u0301", "\ud83d\ude00", "\uD83D\uDE00", "\/", "\u0000"]"#,
        #"["\b\f\n\r\t\"\\", "\u2028\u2029", "\ufeff", "\uffff", "\udbff\udfff", "a\u0041"]"#,
        "[\"\u{10FFFF}\", \"\u{7F}\", \"\u{2028}\", \"\u{FEFF}x\", \"\"]",
    ])
    func escapesDecodeToTheScalarsJSONDecoderGives(text: String) throws {
        let ours = try ours([String].self, text)
        let theirs = try foundation([String].self, Array(text.utf8))
        #expect(ours.map { Array($0.unicodeScalars) } == theirs.map { Array($0.unicodeScalars) })
    }

    @Test func escapedKeysMatchTheirCodingKeys() throws {
        let decoded = try ours(FieldEvidence.self, #"{"f\u0069eld":"a","value":"\u0062"}"#)
        #expect(decoded == FieldEvidence(field: "a", value: "b"))
    }

    // MARK: What RFC 8259 refuses, and floats

    @Test(arguments: [
        ("", "ends where a value should be"),
        ("  ", "ends where a value should be"),
        ("[", "ends where a value should be"),
        (#"{"a":1"#, "ends inside an object"),
        (#"["abc"#, "without its closing quote"),
        ("[1,]", "expected a value"),
        (#"{"a":1,}"#, "expected a key in double quotes"),
        ("[1] x", "more text after the JSON value"),
        ("[1]]", "more text after the JSON value"),
        ("{} {}", "more text after the JSON value"),
        (#"{"a" 1}"#, "expected ':'"),
        ("{a:1}", "expected a key in double quotes"),
        ("['a']", "expected a value"),
        ("[1 2]", "expected ',' or ']'"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        ("[1}", "expected ',' or ']'"),
        (#"["\x"]"#, "an escape JSON does not have"),
        (#"["\'"]"#, "an escape JSON does not have"),
        (#"["\u12"]"#, "without four hex digits"),
        (#"["\u12G4"]"#, "without four hex digits"),
        (#"["\ud800"]"#, "high surrogate escape without the low"),
        (#"["\ud800\u0041"]"#, "high surrogate escape without the low"),
        (#"["\ud800\ud800"]"#, "high surrogate escape without the low"),
        (#"["\udc00"]"#, "low surrogate escape without the high"),
        (#"["\ude00\ud83d"]"#, "low surrogate escape without the high"),
        ("[\"a\nb\"]", "a control character (U+000A)"),
        ("[\"\t\"]", "a control character (U+0009)"),
        ("[01]", "leading zero"),
        ("[-01]", "leading zero"),
        ("[00]", "leading zero"),
        ("[-]", "a minus sign without digits"),
        ("[+1]", "expected a value"),
        ("[.5]", "expected a value"),
        ("[1.5]", "a fraction or an exponent"),
        ("[1.0]", "a fraction or an exponent"),
        ("[1e3]", "a fraction or an exponent"),
        ("[1E3]", "a fraction or an exponent"),
        ("[-0.0]", "a fraction or an exponent"),
        ("[tru]", "expected a value"),
        ("[True]", "expected a value"),
        ("[nul]", "expected a value"),
        ("[NaN]", "expected a value"),
        ("[Infinity]", "expected a value"),
        ("[truex]", "expected ',' or ']'"),
        ("[1]// note", "more text after the JSON value"),
        ("\u{FEFF}[1]", "expected a value"),
        ("[\u{0B}1]", "expected a value"),
        ("[\u{A0}1]", "expected a value"),
    ])
    func malformedTextIsRefusedWithWhatIsWrong(text: String, what: String) throws {
        let problem = try #require(refusal(text), "\(text) was taken")
        #expect(problem.kind == .syntax)
        #expect(problem.text.contains(what), "\(problem)")
    }

    /// Bytes that are not UTF-8, as the Unicode Standard's table 3-7 draws the line.
    @Test(arguments: [
        [0xFF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80],
        [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
        [0xE2, 0x82], [0x80], [0xC3], [0xF0, 0x9F, 0x98], [0xC3, 0x28],
    ] as [[UInt8]])
    func bytesThatAreNotUTF8AreRefused(bad: [UInt8]) throws {
        let text = Array(#"["ok",""#.utf8) + bad + Array(#""]"#.utf8)
        let problem = try #require(refusal(text))
        #expect(problem.text.contains("not UTF-8"))
        #expect(problem.line == 1 && problem.column == 8)
    }

    @Test func theLineAndColumnOfAProblemAreCountedInCharacters() throws {
        let problem = try #require(refusal("{\n  \"é\": [\n    1.5]}"))
        #expect(problem.line == 3 && problem.column == 5)
        let after = try #require(refusal("[\"éé\" 1]"))
        #expect(after.line == 1 && after.column == 7)
    }

    @Test func nestingDeeperThanJSONDecodersLimitIsRefused() throws {
        let deep = { (depth: Int) in
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        #expect(refusal(deep(512)) == nil)
        let problem = try #require(refusal(deep(513)))
        #expect(problem.text.contains("nested more than 512 deep"))
        #expect(refusal(deep(200_000))?.kind == .syntax)
    }

    @Test func integersOutsideTheirTypesRangeAreRefused() throws {
        #expect(try ours([Int64].self, "[-9223372036854775808, 9223372036854775807, -0]")
                == [.min, .max, 0])
        #expect(try ours([UInt64].self, "[18446744073709551615]") == [.max])
        #expect(try ours([Int8].self, "[-128, 127]") == [-128, 127])
        for (text, type) in [
            ("[128]", [Int8].self), ("[-129]", [Int8].self), ("[-1]", [UInt8].self),
            ("[9223372036854775808]", [Int].self), ("[-9223372036854775809]", [Int].self),
            ("[18446744073709551616]", [UInt64].self),
            ("[" + String(repeating: "9", count: 400) + "]", [Int].self),
        ] as [(String, any Decodable.Type)] {
            #expect(throws: DecodingError.self, "\(text)") {
                try SortedJSONDecoder(parsing: Data(text.utf8)).decode(type)
            }
        }
    }

    @Test func aValueOfAnotherTypeIsADecodingErrorWithItsPath() throws {
        let text = #"{"field":"a","value":1}"#
        let error = try #require(throws: DecodingError.self) {
            try ours(FieldEvidence.self, text)
        }
        #expect(
            SortedJSONDecoder.describe(error) == "value: expected a string but found an integer")
        #expect(throws: DecodingError.self) { try ours(FieldEvidence.self, #"{"field":"a"}"#) }
        #expect(throws: DecodingError.self) {
            try ours(FieldEvidence.self, #"{"field":"a","value":null}"#)
        }
        #expect(throws: DecodingError.self) { try ours([Double].self, "[1]") }
        #expect(throws: DecodingError.self) { try ours([Bool].self, "[1]") }
    }

    // MARK: Keys

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "a"),
        (#"{"x":[{"k":1},{"k":1,"j":2,"k":3}]}"#, "x[1].k"),
        (#"{"kind":1,"\u006bind":2}"#, "kind"),
        // One key to Swift: é precomposed, and e with a combining acute accent.
        ("{\"\u{E9}\":1,\"e\u{301}\":2}", "[\"e\u{301}\"]"),
        // U+212A KELVIN SIGN is canonically K.
        ("{\"K\":1,\"\u{212A}\":2}", "[\"\u{212A}\"]"),
        ("{" + (0..<40).map { "\"k\($0)\":1," }.joined() + "\"k17\":2}", "k17"),
    ])
    func aKeyTwiceInOneObjectIsRefusedWithItsPath(text: String, path: String) throws {
        let problem = try #require(refusal(text))
        #expect(problem.kind == .duplicateKey)
        #expect(problem.path == path)
    }

    @Test func aKeyNoTypeReadsIsRefusedWhereJSONDecoderIgnoresIt() throws {
        let written = String(decoding: try bytes(SortedJSONTests.sample), as: UTF8.self)
        let cases = [
            ("{\"zzz\":true," + written.dropFirst(), "zzz"),
            (written.replacingOccurrences(of: #""kind":"lock""#, with: #""kind":"lock","x":[1]"#),
             "inner[1].x"),
            (written.replacingOccurrences(of: #""year":2024"#, with: #""year":2024,"era":"AD""#),
             "inner[0].when.era"),
        ]
        for (text, path) in cases {
            #expect(text != written)
            #expect(throws: Never.self) { try foundation(Sample.self, Array(text.utf8)) }
            let problem = try #require(throws: JSONReadProblem.self) {
                try ours(Sample.self, text)
            }
            #expect(problem.kind == .unreadKey && problem.path == path, "\(problem)")
            #expect(problem.text.contains("a key the document's type does not have"))
        }
        // Read leniently, the same text decodes: only the check refuses it.
        let lenient = try SortedJSONDecoder(parsing: Data(cases[0].0.utf8))
        #expect(try bytes(lenient.decode(Sample.self, everyKeyRead: false)) == bytes(
            SortedJSONTests.sample))
    }

    @Test func aNullForAnAbsentOptionalIsReadAsJSONDecoderReadsIt() throws {
        let text = #"{"before":null,"field":"a","value":"b"}"#
        #expect(try ours(FieldEvidence.self, text) == FieldEvidence(field: "a", value: "b"))
        #expect(
            try foundation(FieldEvidence.self, Array(text.utf8)) == ours(FieldEvidence.self, text))
    }

    // MARK: Mutations

    /// A thousand single-byte edits of each written form: each is refused, or decodes to what
    /// JSONDecoder decodes it to. Never another value.
    @Test(arguments: [false, true])
    func editedDocumentsAreRefusedOrDecodeAsJSONDecoderDecodesThem(pretty: Bool) throws {
        var random = SeededRandom(seed: pretty ? 7 : 8)
        let changes = (0..<4).map { _ in random.change() }
        let written = try SortedJSON.render(changes, pretty: pretty)
        let alphabet = Array(#"{}[],:"\/ -0123456789eE.tuflnabrx"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var taken = 0
        for _ in 0..<1000 {
            var edited = written
            let at = random.below(edited.count)
            switch random.below(3) {
            case 0: edited[at] = alphabet[random.below(alphabet.count)]
            case 1: edited.remove(at: at)
            default: edited.insert(alphabet[random.below(alphabet.count)], at: at)
            }
            guard let decoded = try? ours([Change].self, edited) else { continue }
            taken += 1
            let theirs = try #require(try? foundation([Change].self, edited),
                                      "\(String(decoding: edited, as: UTF8.self))")
            #expect(decoded == theirs)
        }
        // Edits in white space and inside strings are taken: the check has something to see.
        #expect(taken > 50)
    }
}

/// SplitMix64: the same values for the same seed on every machine, and no clock.
struct SeededRandom {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func pick<Value>(_ values: [Value]) -> Value {
        values[below(values.count)]
    }

    /// A string of up to 12 scalars from the ranges JSON writers treat differently.
    mutating func text() -> String {
        let ranges: [ClosedRange<UInt32>] = [
            0x00...0x1F, 0x20...0x7E, 0x22...0x22, 0x5C...0x5C, 0x7F...0xFF, 0x300...0x36F,
            0x2028...0x2029, 0xFEFF...0xFEFF, 0xFFFE...0xFFFF, 0x1F600...0x1F64F,
            0x10FFFF...0x10FFFF, 0x4E00...0x4E20,
        ]
        let count = below(13)
        return String(String.UnicodeScalarView((0..<count).map { _ in
            let range = pick(ranges)
            return Unicode.Scalar(range.lowerBound + UInt32(below(range.count)))!
        }))
    }

    mutating func optionalText() -> String? {
        below(3) == 0 ? nil : text()
    }

    mutating func change() -> Change {
        let edits = (0..<below(3)).map { _ in
            AttributeEdit(name: text(), before: (0..<below(3)).map { _ in text() },
                          after: (0..<below(3)).map { _ in text() })
        }
        let fields = (0..<below(3)).map { _ in
            FieldEvidence(field: text(), value: text(), before: optionalText())
        }
        return Change(
            kind: pick(ChangeKind.allCases), category: pick(ChangeCategory.allCases),
            employeeID: optionalText(), login: optionalText(), dn: text(),
            target: optionalText(), attributes: edits, state: optionalText(),
            reason: Reason(rule: text(), text: text(), fields: fields),
            wipe: below(2) == 0 ? nil : (0..<below(3)).map { _ in text() })
    }
}

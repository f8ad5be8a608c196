import Foundation
import Testing

@testable import IdentitySync

/// SortedJSON must write exactly what JSONEncoder writes with the options saved plans were
/// always written with: a saved plan's content hash depends on every byte.
@Suite struct SortedJSONTests {
    enum Kind: String, Codable { case grant = "add-to-group", lock }

    struct Inner: Codable {
        var kind: Kind
        var values: [String]
        var when: LocalDate?
    }

    /// Shapes a plan has, and a few it may get: optionals, empty and nested collections,
    /// string-keyed dictionaries, negative and wide integers.
    struct Sample: Codable {
        var text: String
        var note: String?
        var missing: Int?
        var code: Int32 = -68
        var wide: UInt64 = .max
        var flag = false
        var empty: [String] = []
        var emptyMap: [String: [String]] = [:]
        var map: [String: [String]]
        var grid: [[Int]] = [[], [1, 2], [3]]
        var inner: [Inner]
    }

    /// Every C0 control, DEL, C1, the separators JavaScript dislikes, a BOM, quotes,
    /// backslashes, slashes, combining marks and an emoji.
    static let hostile: String = {
        let controls = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined()
        return controls + "\u{7F}\u{85}\u{A0}\u{2028}\u{2029}\u{FEFF}\"\\/</script>e\u{301}😀 Zoë O'Brien, Jr."
    }()

    static let sample = Sample(
        text: hostile, note: "uid=o\\2Cbrien,ou=people,dc=example,dc=org", missing: nil,
        map: ["memberOf": ["cn=a"], "MemberOf": [], "": ["empty key"], "_x": [hostile], "é": ["1"], "a1": [], "a": ["z", "y"]],
        inner: [Inner(kind: .grant, values: ["x"], when: LocalDate(year: 2024, month: 3, day: 1)),
                Inner(kind: .lock, values: [], when: nil)])

    func foundation<Value: Encodable>(_ value: Value, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test(arguments: [false, true])
    func hostileStringsAndEveryShapeGiveJSONEncodersBytes(pretty: Bool) throws {
        let ours = try SortedJSON.render(SortedJSONTests.sample, pretty: pretty)
        #expect(String(decoding: ours, as: UTF8.self)
                == String(decoding: try foundation(SortedJSONTests.sample, pretty: pretty), as: UTF8.self))
    }

    @Test(arguments: [false, true])
    func aWholePlanDocumentGivesJSONEncodersBytes(pretty: Bool) throws {
        let day = ReportDay()
        let outcomes = day.plan.changes.prefix(3).enumerated().map { index, change in
            ChangeOutcome(change: change, failure: index == 1 ? DirectoryFailure(code: 50, message: "insufficient access")
                          : nil, skipped: index == 2 ? "held" : nil)
        }
        let document = PlanDocument(plan: day.plan, directory: day.directory,
                                    createdAt: Fixtures.instant("2024-03-15T17:05:00Z"),
                                    redacted: ["termination_date"], outcomes: outcomes)
        #expect(day.plan.changes.count >= 5 && !document.targets.isEmpty && !day.plan.people.isEmpty)

        let ours = try SortedJSON.render(document, pretty: pretty)
        #expect(ours == (try foundation(document, pretty: pretty)))
    }

    @Test func theContentHashIsTheSameAsWithJSONEncoder() throws {
        let day = ReportDay()
        var document = PlanDocument(plan: day.plan, directory: day.directory,
                                    createdAt: Fixtures.instant("2024-03-15T17:05:00Z"), redacted: [])
        let hash = document.contentHash
        document.contentHash = ""
        #expect(hash == "sha256:" + SHA256.hex(try foundation(document, pretty: false)))
    }

    /// A type that asks for nested containers and a super-encoder, inside an object and
    /// inside an array, fills them after encoding later members.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case b, a, list, parent }

        func encode(to encoder: Encoder) throws {
            var object = encoder.container(keyedBy: Keys.self)
            var inner = object.nestedContainer(keyedBy: Keys.self, forKey: .b)
            var list = object.nestedUnkeyedContainer(forKey: .list)
            try object.encode("first", forKey: .a)
            try inner.encode(1, forKey: .a)
            try list.encode("x")
            var element = list.nestedContainer(keyedBy: Keys.self)
            try list.encode("z")
            try element.encode(true, forKey: .a)
            var parent = object.superEncoder().singleValueContainer()
            try parent.encode("super")
        }
    }

    @Test(arguments: [false, true])
    func nestedContainersFilledLaterLandInTheirPlaces(pretty: Bool) throws {
        #expect(try SortedJSON.render(Nested(), pretty: pretty) == (try foundation(Nested(), pretty: pretty)))
    }

    @Test func aFloatingPointNumberIsRefusedRatherThanWrittenDifferently() {
        struct Ratio: Encodable { let value = 0.5 }
        #expect(throws: EncodingError.self) { try SortedJSON.render(Ratio(), pretty: false) }
    }
}

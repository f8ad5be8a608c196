import Foundation
import Testing
import YAML

private func load(_ text: String) throws -> YAMLReader {
    YAMLReader(try YAMLDocument.parse(text, file: "idsync.yaml"), file: "idsync.yaml")
}

/// The error `body` throws, which must be a `YAMLError`.
private func yamlError(_ body: () throws -> Void) -> YAMLError? {
    #expect(throws: YAMLError.self) { try body() }
}

@Suite struct YAMLTests {
    // MARK: Structure

    @Test func mappingKeepsFileOrderAndMarks() throws {
        let root = try YAMLDocument.parse("zeta: 1\nalpha:\n  beta: two\n", file: "idsync.yaml")

        #expect(root.keys == ["zeta", "alpha"])
        #expect(root["alpha"]?.mark == YAMLMark(line: 3, column: 3))
        #expect(root["alpha"]?["beta"]?.mark == YAMLMark(line: 3, column: 9))
        #expect(root["missing"] == nil)
    }

    @Test(arguments: ["", "# only a comment\n", "~", "null"])
    func emptyDocumentIsNull(_ text: String) throws {
        guard case .null = try YAMLDocument.parse(text, file: "idsync.yaml") else {
            Issue.record("expected .null for \(text.debugDescription)")
            return
        }
    }

    @Test func quotedFlagFollowsTheScalarStyle() throws {
        let root = try YAMLDocument.parse("a: plain\nb: 'single'\nc: \"double\"\nd: ''\n",
                                          file: "idsync.yaml")

        var quoted: [String: Bool] = [:]
        for key in root.keys {
            guard case .scalar(_, let isQuoted, _) = root[key] else { continue }
            quoted[key] = isQuoted
        }
        #expect(quoted == ["a": false, "b": true, "c": true, "d": true])
    }

    @Test func emptyValueIsNullMarkedAtItsKey() throws {
        let root = try YAMLDocument.parse("first:\nsecond: ~\n", file: "idsync.yaml")

        guard case .null(let mark) = root["first"] else {
            Issue.record("expected .null")
            return
        }
        #expect(mark.line == 1)
    }

    @Test func keepsUTF8() throws {
        let reader = try load("name: Zoë Ångström\n\"clé\": émergency\n")

        #expect(try reader.string("name") == "Zoë Ångström")
        #expect(try reader.string("clé") == "émergency")
    }

    @Test func blockScalarsKeepTheirLineBreaks() throws {
        let reader = try load("literal: |\n  one\n  two\nfolded: >\n  one\n  two\nnext: x\n")

        #expect(try reader.string("literal") == "one\ntwo\n")
        #expect(try reader.string("folded") == "one two\n")
        #expect(reader.node["next"]?.mark.line == 7)
    }

    // MARK: Syntax errors

    @Test func tabIndentationIsReportedWhereTheTabIs() {
        let error = yamlError { _ = try YAMLDocument.parse("a:\n\tb: 1\n", file: "idsync.yaml") }

        #expect(error?.code == .syntax)
        #expect(error?.line == 2)
        #expect(error?.column == 1)
        #expect(error?.message.contains("indent with spaces") == true)
    }

    @Test func unclosedBracketIsReportedOnTheNextLine() {
        let error = yamlError {
            _ = try YAMLDocument.parse("a: [1, 2\nb: 3\n", file: "mappings/roles.yaml")
        }

        #expect(error?.line == 2)
        #expect(error?.column == 2)
        #expect(error?.description.hasPrefix(
            "mappings/roles.yaml:2:2: did not find expected ',' or ']'") == true)
    }

    @Test func duplicateKeyNamesBothLines() {
        let error = yamlError { _ = try load("url: a\nbase: b\nurl: c\n") }

        #expect(error?.code == .duplicateKey)
        #expect(error?.line == 3)
        #expect(error?.message.contains("line 1 and line 3") == true)
    }

    @Test func duplicateKeyOnOneLineNamesBothColumns() {
        let error = yamlError { _ = try load("guards: {a: 1, a: 2}\n") }

        #expect(error?.code == .duplicateKey)
        #expect(error?.message == "the key 'a' appears twice in one mapping, at line 1, "
                    + "columns 10 and 16; keep only one")
    }

    @Test func anEmptyRequiredKeyIsNamedAsEmpty() {
        let error = yamlError { _ = try load("site:\nfeed: {type: csv}\n").require("site")
            .string("time_zone") }

        #expect(error?.code == .missingKey)
        #expect(error?.line == 1)
        #expect(error?.message == "'site' is given with nothing under it; give its value after "
                    + "the colon, or its settings indented below it")
    }

    @Test(arguments: ["base: &b x\nother: *b\n", "a: !!str 10\n", "a: 1\n---\nb: 2\n",
                      "? [x]\n: 1\n"])
    func unsupportedYAMLIsRejected(_ text: String) {
        let error = yamlError { _ = try load(text) }

        #expect(error?.code == .unsupported)
        #expect(error?.line ?? 0 > 0)
    }

    @Test func invalidUTF8FromAFileIsASyntaxError() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("idsync-yaml-\(UUID().uuidString).yaml").path
        try Data([0x61, 0x3A, 0x20, 0x62, 0x0A, 0x63, 0x3A, 0x20, 0xFF, 0x0A])
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let error = yamlError { _ = try YAMLDocument.load(path: path) }

        #expect(error?.code == .syntax)
        #expect(error?.line == 2)
    }

    @Test func missingFileIsUnreadable() {
        let error = yamlError { _ = try YAMLDocument.load(path: "/nonexistent/idsync.yaml") }

        #expect(error?.code == .unreadable)
        #expect(error?.description.hasPrefix("/nonexistent/idsync.yaml: cannot read") == true)
    }

    // MARK: Typed values

    @Test(arguments: [("true", true), ("yes", true), ("On", true), ("TRUE", true),
                      ("false", false), ("no", false), ("off", false)])
    func plainBooleans(_ text: String, _ expected: Bool) throws {
        #expect(try load("flag: \(text)\n").bool("flag") == expected)
    }

    @Test(arguments: ["'yes'", "\"true\"", "maybe", "1", "[true]"])
    func notABoolean(_ text: String) {
        let error = yamlError { _ = try load("flag: \(text)\n").bool("flag") }

        #expect(error?.code == .wrongType)
        #expect(error?.message.hasPrefix("'flag' must be true or false") == true)
    }

    @Test func wholeNumberErrorNamesThePathAndTheValue() {
        let text = "directory:\n  url: x\nguards:\n  max_leavers: ten\n"
        let error = yamlError { _ = try load(text).require("guards").int("max_leavers") }

        #expect(error?.description
            == "idsync.yaml:4:16: 'guards.max_leavers' must be a whole number, found 'ten'")
    }

    @Test(arguments: [("10", 10), ("-3", -3), ("+7", 7), ("'42'", 42)])
    func wholeNumbers(_ text: String, _ expected: Int) throws {
        #expect(try load("n: \(text)\n").int("n") == expected)
    }

    @Test(arguments: ["1.5", "0x10", "1_000", "", "99999999999999999999"])
    func notAWholeNumber(_ text: String) {
        let error = yamlError { _ = try load("n: \(text)\n").int("n") }

        #expect(error?.code == (text.isEmpty ? .missingKey : .wrongType))
    }

    @Test(arguments: [("0.25", 0.25), ("3", 3.0), ("1e-3", 0.001), ("-2.5", -2.5)])
    func numbers(_ text: String, _ expected: Double) throws {
        #expect(try load("ratio: \(text)\n").double("ratio") == expected)
    }

    @Test(arguments: [".inf", "nan", "0x1p3", "five"])
    func notANumber(_ text: String) {
        #expect(yamlError { _ = try load("ratio: \(text)\n").double("ratio") }?.code == .wrongType)
    }

    @Test func stringListTakesAListOrOneValue() throws {
        let reader = try load("many: [a, 'b']\none: c\nnone:\n")

        #expect(try reader.stringList("many") == ["a", "b"])
        #expect(try reader.stringList("one") == ["c"])
        #expect(try reader.optional("none")?.stringList() ?? [] == [])
    }

    @Test func stringListItemErrorNamesItsIndex() {
        let error = yamlError { _ = try load("groups:\n  - a\n  - [b]\n").stringList("groups") }

        #expect(error?.description == "idsync.yaml:3:5: 'groups[1]' must be text, found a list")
    }

    @Test func pathAccessorsWalkDottedKeys() throws {
        let root = try YAMLDocument.parse("directory:\n  url: ldap://x\n  tls: on\n",
                                          file: "idsync.yaml")

        #expect(try root.string("directory.url", file: "idsync.yaml") == "ldap://x")
        #expect(try root.bool("directory.tls", file: "idsync.yaml"))
        #expect(throws: YAMLError.self) { try root.int("directory.port", file: "idsync.yaml") }
    }

    @Test func missingKeyNamesItsParent() {
        let error = yamlError { _ = try load("directory:\n  base: x\n").require("directory")
            .string("url") }

        #expect(error?.code == .missingKey)
        #expect(error?.line == 2)
        #expect(error?.message == "'directory' needs the key 'url'")
    }

    @Test func elementsCarryTheirPath() throws {
        let roles = try load("roles:\n  - name: a\n  - name: [b]\n").require("roles").elements()

        #expect(roles.map(\.path) == ["roles[0]", "roles[1]"])
        #expect(throws: YAMLError.self) { try roles[1].string("name") }
    }

    @Test func callerChecksUseTheNodesPositionAndPath() throws {
        let url = try load("directory:\n  url: http://x\n").require("directory").require("url")

        #expect(url.error("must start with ldap:// or ldaps://").description
            == "idsync.yaml:2:8: 'directory.url' must start with ldap:// or ldaps://")
    }

    // MARK: Unknown keys

    @Test func unknownKeySuggestsTheClosestAllowedKey() {
        let text = "directory:\n  url: x\n  bind_dn: y\n  ulr: z\n"
        let error = yamlError {
            try load(text).require("directory").rejectUnknownKeys(allowed: ["url", "bind_dn"])
        }

        #expect(error?.code == .unknownKey)
        #expect(error?.line == 4)
        #expect(error?.message == "unknown key 'ulr' in 'directory'; did you mean 'url'?")
    }

    @Test func unknownKeyWithANestedValueIsReportedAtTheKeyNotTheValue() {
        let text = "directory:\n  url: x\ngaurds:\n  max_leavers: 5\n"
        let error = yamlError {
            try load(text).rejectUnknownKeys(allowed: ["directory", "guards"])
        }

        #expect(error?.line == 3)
        #expect(error?.column == 1)
        #expect(error?.message == "unknown key 'gaurds'; did you mean 'guards'?")
    }

    @Test func unknownKeyFarFromAnyListsTheAllowedKeys() {
        let error = yamlError {
            try load("colour: red\n").rejectUnknownKeys(allowed: ["url", "base"])
        }

        #expect(error?.message == "unknown key 'colour'; the keys allowed here are base, url")
    }

    @Test func unknownKeyWithAnEmptyValueIsReportedOnItsOwnLine() {
        let error = yamlError {
            try load("url: x\nbsae:\nother: y\n").rejectUnknownKeys(allowed: ["url", "base",
                                                                              "other"])
        }

        #expect(error?.line == 2)
        #expect(error?.message.contains("did you mean 'base'?") == true)
    }
}

import Foundation
import Testing

@testable import IdentitySync

private func parse(_ text: String, delimiter: Unicode.Scalar = ",") throws -> CSVTable {
    try CSVReader.parse(Array(text.utf8), file: "hr/day1.csv", delimiter: delimiter)
}

private func lines(_ table: CSVTable) -> [Int] { table.rows.map(\.line) }

private func fields(_ table: CSVTable) -> [[String]] { table.rows.map(\.fields) }

struct CSVParseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    let lines: [Int]
    let fields: [[String]]
    var testDescription: String { name }
}

struct CSVErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let code: CSVError.Code
    let line: Int
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ code: CSVError.Code, line: Int) {
        self.init(name, Array(input.utf8), code, line: line)
    }

    init(_ name: String, _ input: [UInt8], _ code: CSVError.Code, line: Int) {
        self.name = name
        self.input = input
        self.code = code
        self.line = line
    }
}

@Suite struct CSVReaderTests {
    static let parseCases: [CSVParseCase] = [
        .init(name: "LF", input: "id,name\n1,Ann\n2,Bob\n",
              lines: [2, 3], fields: [["1", "Ann"], ["2", "Bob"]]),
        .init(name: "CRLF", input: "id,name\r\n1,Ann\r\n2,Bob\r\n",
              lines: [2, 3], fields: [["1", "Ann"], ["2", "Bob"]]),
        .init(name: "mixed CRLF and LF", input: "id,name\r\n1,Ann\n2,Bob\r\n",
              lines: [2, 3], fields: [["1", "Ann"], ["2", "Bob"]]),
        .init(name: "lone CR", input: "id,name\r1,Ann\r2,Bob",
              lines: [2, 3], fields: [["1", "Ann"], ["2", "Bob"]]),
        .init(name: "no final line break", input: "id,name\n1,Ann",
              lines: [2], fields: [["1", "Ann"]]),
        .init(name: "blank lines are skipped but counted",
              input: "id,name\n\n1,Ann\n\r\n\n2,Bob\n\n",
              lines: [3, 6], fields: [["1", "Ann"], ["2", "Bob"]]),
        .init(name: "quoted delimiter", input: "id,name\n1,\"Smith, Ann\"\n",
              lines: [2], fields: [["1", "Smith, Ann"]]),
        .init(name: "doubled quotes", input: "id,name\n1,\"Ann \"\"Nan\"\" Lee\"\n",
              lines: [2], fields: [["1", "Ann \"Nan\" Lee"]]),
        .init(name: "quoted LF moves the next row down", input: "id,addr\n1,\"a\nb\"\n2,c\n",
              lines: [2, 4], fields: [["1", "a\nb"], ["2", "c"]]),
        .init(name: "quoted CRLF is kept as written", input: "id,addr\r\n1,\"a\r\nb\"\r\n2,c",
              lines: [2, 4], fields: [["1", "a\r\nb"], ["2", "c"]]),
        .init(name: "empty fields", input: "a,b,c\n,,\n",
              lines: [2], fields: [["", "", ""]]),
        .init(name: "trailing delimiter", input: "a,b\n1,\n",
              lines: [2], fields: [["1", ""]]),
        .init(name: "empty quoted field", input: "a,b\n\"\",x\n",
              lines: [2], fields: [["", "x"]]),
        .init(name: "leading zeros stay text", input: "id\n007\n",
              lines: [2], fields: [["007"]]),
        .init(name: "byte order mark", input: "\u{FEFF}id,name\n1,Ann",
              lines: [2], fields: [["1", "Ann"]]),
        .init(name: "UTF-8 values", input: "id,name\n1,Zoë Ångström\n",
              lines: [2], fields: [["1", "Zoë Ångström"]]),
        .init(name: "spaces are part of unquoted fields", input: "a,b\n 1 , x \n",
              lines: [2], fields: [[" 1 ", " x "]]),
    ]

    @Test(arguments: parseCases)
    func parsesRowsWithTheirStartingLines(_ c: CSVParseCase) throws {
        let table = try parse(c.input)

        #expect(lines(table) == c.lines)
        #expect(fields(table) == c.fields)
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstHeaderName() throws {
        let table = try parse("\u{FEFF}id,name\n")

        #expect(table.header == ["id", "name"])
        #expect(table.column(named: "id") == 0)
    }

    static let errorCases: [CSVErrorCase] = [
        .init("quote inside an unquoted field", "id,name\n1,An\"n\n", .strayQuote, line: 2),
        .init("quote after leading space", "id,name\n1, \"Ann\"\n", .strayQuote, line: 2),
        .init("text after the closing quote", "id,name\n1,\"Ann\"x\n", .strayQuote, line: 2),
        .init("stray quote after a multi-line field", "id,a\n1,\"x\ny\"z\n", .strayQuote,
              line: 3),
        .init("quote never closes", "id,name\n1,Ann\n2,\"Bob\n3,Cy\n", .unterminatedQuote,
              line: 3),
        .init("quote never closes in the header", "\"id,name\n1,Ann\n", .unterminatedQuote,
              line: 1),
        .init("file cut off inside quotes", "id,name\n1,\"Ann", .unterminatedQuote, line: 2),
        .init("invalid UTF-8", Array("id,name\n1,Ann\n2,B".utf8) + [0xFF] + Array("b\n".utf8),
              .invalidUTF8, line: 3),
        .init("invalid UTF-8 in a multi-line field names its first line",
              Array("id,a\n1,\"x\n".utf8) + [0xC3] + Array("\"\n".utf8), .invalidUTF8, line: 2),
        .init("UTF-16 export", [0xFF, 0xFE, 0x69, 0x00], .invalidUTF8, line: 1),
        .init("duplicate header, trimmed and case-insensitive", "id,Name, name \n1,a,b\n",
              .duplicateHeader, line: 1),
        .init("duplicate header after blank lines", "\n\nid,id\n", .duplicateHeader, line: 3),
        .init("duplicate empty header names", "id,,\n", .duplicateHeader, line: 1),
    ]

    @Test(arguments: errorCases)
    func rejectsBrokenFilesNamingTheLine(_ c: CSVErrorCase) {
        #expect {
            try CSVReader.parse(c.input, file: "hr/day1.csv")
        } throws: { error in
            guard let error = error as? CSVError else { return false }
            return error.code == c.code && error.line == c.line && error.file == "hr/day1.csv"
        }
    }

    @Test func unterminatedQuoteMessageReadsAsAFix() {
        let error = #expect(throws: CSVError.self) {
            try parse("id,name\n1,Ann\n2,\"Bob\n")
        }

        #expect(error?.description.hasPrefix(
            "hr/day1.csv:3: a quoted field opened here never closes; check for a stray \"") == true)
    }

    @Test(arguments: ["", "\n\n\r\n", "\u{FEFF}"])
    func emptyFileGivesNoHeaderAndNoRows(_ input: String) throws {
        let table = try parse(input)

        #expect(table.header.isEmpty)
        #expect(table.rows.isEmpty)
    }

    @Test func headerAloneGivesNoRows() throws {
        let table = try parse("id,name\r\n")

        #expect(table.header == ["id", "name"])
        #expect(table.rows.isEmpty)
    }

    @Test func headerLineCountsBlankLinesBeforeIt() throws {
        let table = try parse("\r\n\nid\n1\n")

        #expect(table.headerLine == 3)
        #expect(lines(table) == [4])
    }

    @Test func rowsWithTheWrongFieldCountAreKeptForQuarantine() throws {
        let table = try parse("a,b,c\n1,2,3\n1,2\n\n1,2,3,4\n")

        #expect(lines(table) == [2, 3, 5])
        #expect(table.malformedRows.map(\.line) == [3, 5])
        #expect(table.fieldCountError(for: table.rows[0]) == nil)

        let error = try #require(table.fieldCountError(for: table.rows[1]))
        #expect(error.code == .fieldCount)
        #expect(error.description.hasPrefix("hr/day1.csv:3: 2 fields, header has 3;"))
    }

    @Test func columnLookupTrimsAndIgnoresCase() throws {
        let table = try parse(" Employee ID ,ÉTAT,Straße\n")

        #expect(table.column(named: "employee id") == 0)
        #expect(table.column(named: "  EMPLOYEE ID") == 0)
        #expect(table.column(named: "état") == 1)
        #expect(table.column(named: "STRASSE") == nil)
        #expect(table.column(named: "straße") == 2)
        #expect(table.column(named: "email") == nil)
    }

    @Test(arguments: [(";", "id;name\n1;\"a;b\"\n"), ("\t", "id\tname\n1\t\"a\tb\"\n")])
    func delimiterIsConfigurable(_ delimiter: String, _ input: String) throws {
        let table = try parse(input, delimiter: delimiter.unicodeScalars.first!)

        #expect(table.header == ["id", "name"])
        #expect(fields(table) == [["1", "a" + delimiter + "b"]])
    }

    @Test(arguments: ["\"", "\n", "é"] as [Unicode.Scalar])
    func unusableDelimiterIsRejected(_ delimiter: Unicode.Scalar) {
        #expect {
            try parse("a,b\n", delimiter: delimiter)
        } throws: { ($0 as? CSVError)?.code == .invalidDelimiter }
    }

    @Test func readsAFileFromDisk() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("idsync-csv-\(UUID().uuidString).csv").path
        try Data("id,name\n1,Ann\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let table = try CSVReader.read(path: path)

        #expect(table.file == path)
        #expect(fields(table) == [["1", "Ann"]])
    }

    @Test func missingFileIsUnreadable() {
        let error = #expect(throws: CSVError.self) {
            try CSVReader.read(path: "/nonexistent/hr/day1.csv")
        }

        #expect(error?.code == .unreadable)
        #expect(error?.line == 0)
        #expect(error?.description.hasPrefix("/nonexistent/hr/day1.csv: cannot read") == true)
    }
}

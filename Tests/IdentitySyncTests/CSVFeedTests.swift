import Foundation
import Testing

@testable import IdentitySync

/// Writes CSV text to a fresh temporary file and reads it through a layout from mappings/.
struct FeedFile {
    let path: String

    init(_ text: String, name: String = "export.csv") throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("idsync-feed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A path that is already there, such as a FIFO or a device.
    init(existing path: String) {
        self.path = path
    }

    func read(layout name: String) throws -> FeedSnapshot {
        let layout = try ConfigLoader.loadLayout(Fixtures.path("mappings/\(name).yaml"))
        return try CSVFeed(path: path, layout: layout).read()
    }
}

@Suite struct CSVFeedTests {
    static let bambooHeader = "Employee #,First Name,Preferred Name,Last Name,Job Title,Job Code,Department,"
        + "Location,Employment Status,Status,Hire Date,Termination Date,Contract End Date,Supervisor EID\n"
    static let workdayHeader = "Worker_ID,Legal_First_Name,Preferred_First_Name,Legal_Last_Name,Business_Title,"
        + "Job_Profile_ID,Supervisory_Organization,Location,Worker_Type,Active_Status,Hire_Date,"
        + "Termination_Date,Contract_End_Date,Manager_ID\n"

    func bamboo(_ rows: String...) throws -> (FeedSnapshot, String) {
        let file = try FeedFile(Self.bambooHeader + rows.joined(separator: "\n") + "\n")
        return (try file.read(layout: "bamboohr"), file.path)
    }

    @Test func bambooHRRowBecomesAPersonWithLeadingZerosKept() throws {
        let (feed, path) = try bamboo(
            "000101,Ana,Annie,García,Registered Nurse,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,000110")
        let person = try #require(feed.people.first)
        #expect(person.employeeID == "000101")
        #expect(person.managerID == "000110")
        #expect(person.preferredName == "Annie")
        #expect(person.lastName == "García")
        #expect(person.hireDate == Fixtures.date("2019-03-04"))
        #expect(person.status == .active)
        #expect(person.workerCategory == .employee)
        #expect(person.source == "\(path):2")
        #expect(feed.rowCount == 1)
        #expect(feed.quarantined.isEmpty)
    }

    @Test func workdayRowUsesISODatesAndNumericStatus() throws {
        let file = try FeedFile(Self.workdayHeader
            + "W-0042,Sam,,Lee,Locum Physician,MD01,Medicine,Denver Clinic,Contingent Worker,1,2024-01-02,,2024-06-30,\n"
            + "W-0043,Kim,,Park,Clerk,CL01,Admin,Main Campus,Employee,0,2015-05-05,2024-03-01,,\n")
        let feed = try file.read(layout: "workday")
        #expect(feed.people.map(\.employeeID) == ["W-0042", "W-0043"])
        #expect(feed.people[0].workerCategory == .contractor)
        #expect(feed.people[0].contractEndDate == Fixtures.date("2024-06-30"))
        #expect(feed.people[1].status == .terminated)
        #expect(feed.people[1].terminationDate == Fixtures.date("2024-03-01"))
    }

    @Test func badDateQuarantinesTheRowNamingFileLineColumnAndValue() throws {
        let (feed, path) = try bamboo(
            "000101,Ana,,Garcia,RN,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,",
            "000102,Liam,,OBrien,MD,MD01,Cardiology,Main Campus,Full-Time,Active,2019-07-01,,,")
        #expect(feed.people.map(\.employeeID) == ["000101"])
        let bad = try #require(feed.quarantined.first)
        #expect(bad.source == "\(path):3")
        #expect(bad.employeeID == "000102")
        #expect(bad.problems == ["column 'Hire Date': '2019-07-01' is not a date in the layout MM/dd/yyyy"])
        #expect(bad.termination == nil)
    }

    @Test func badRowWithAPlainTerminationKeepsIt() throws {
        let (feed, _) = try bamboo(
            "000102,Liam,,OBrien,MD,MD01,Cardiology,Main Campus,Full-Time,Terminated,someday,03/01/2024,,")
        let bad = try #require(feed.quarantined.first)
        #expect(bad.termination?.terminationDate == Fixtures.date("2024-03-01"))
    }

    @Test func unknownStatusIsQuarantinedWithTheKnownValues() throws {
        let (feed, _) = try bamboo("000101,Ana,,Garcia,RN,RN01,Nursing,Main Campus,Full-Time,Retired,03/04/2019,,,")
        #expect(feed.people.isEmpty)
        let problem = try #require(feed.quarantined.first?.problems.first)
        #expect(problem.contains("'Retired' is not a status"))
        #expect(problem.contains("terminated"))
        #expect(feed.quarantined.first?.termination == nil)
    }

    @Test func duplicateEmployeeIDOnTwoLinesQuarantinesBothLines() throws {
        let (feed, path) = try bamboo(
            "000101,Ana,,Garcia,RN,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,",
            "000102,Liam,,OBrien,MD,MD01,Cardiology,Main Campus,Full-Time,Active,07/01/2018,,,",
            "000101,Ann,,Garcia,RN,RN01,ICU,Main Campus,Full-Time,Active,03/04/2019,,,")
        #expect(feed.people.map(\.employeeID) == ["000102"])
        #expect(feed.quarantined.map(\.source) == ["\(path):2", "\(path):4"])
        #expect(feed.quarantined.allSatisfy { $0.problems == [
            "employee id 000101 appears on lines 2 and 4; HR must keep one record per person"] })
    }

    @Test func workerConversionKeepsTheActiveRecordWithANotice() throws {
        let (feed, path) = try bamboo(
            "000300,Sam,,Lee,Locum,MD01,Medicine,Main Campus,Contractor,Active,01/02/2024,,06/30/2024,",
            "000300,Sam,,Lee,Physician,MD01,Medicine,Main Campus,Full-Time,Terminated,01/02/2024,03/01/2024,,")
        #expect(feed.quarantined.isEmpty)
        let person = try #require(feed.people.first)
        #expect(feed.people.count == 1)
        #expect(person.status == .active)
        #expect(person.source == "\(path):2")
        #expect(feed.notices.count == 1)
        #expect(feed.notices.first?.contains("worker conversion") == true)
    }

    @Test func missingRequiredColumnMakesTheFeedIncomplete() throws {
        let file = try FeedFile("Employee #,First Name,Last Name\n000101,Ana,Garcia\n")
        #expect {
            try file.read(layout: "bamboohr")
        } throws: { error in
            guard case FeedError.incomplete(let text) = error else { return false }
            return text.contains("'Status'") && text.contains("\(file.path):1")
        }
    }

    @Test func aMappedColumnMissingFromTheHeaderMakesTheFeedIncomplete() throws {
        let header = Self.bambooHeader.replacingOccurrences(of: ",Termination Date", with: "")
            .replacingOccurrences(of: ",Department", with: "")
        let file = try FeedFile(
            header + "000101,Ana,,García,Registered Nurse,RN01,Main Campus,Full-Time,Active,"
                + "03/04/2019,,000110\n")
        let problem = try #require(throws: FeedError.self) { try file.read(layout: "bamboohr") }
        let text = "\(problem)"
        let named = "\(file.path):1: the header lacks 'Department' (department), "
            + "'Termination Date' (termination_date) that the layout bamboohr maps"
        #expect(text.contains(named), "\(text)")
        #expect(text.contains("list its field under optional_columns"))
    }

    @Test func aColumnTheLayoutDeclaresOptionalMayBeMissing() throws {
        let (feed, _) = try bamboo(
            "000101,Ana,,García,Registered Nurse,RN01,Nursing,Main Campus,Full-Time,Active,"
                + "03/04/2019,,,")
        #expect(!Self.bambooHeader.contains("Work Email"))
        #expect(feed.people.first?.workEmail == nil)
        #expect(feed.quarantined.isEmpty)
    }

    @Test func aLayoutCannotMakeAFieldEveryPersonNeedsOptional() throws {
        let file = try FeedFile(
            "name: x\ndate_format: yyyy-MM-dd\ncolumns: {employee_id: id, status: s}\n"
                + "status: {active: [A]}\noptional_columns: [work_email, status]\n",
            name: "layout.yaml")
        let problem = try #require(throws: (any Error).self) {
            try ConfigLoader.loadLayout(file.path)
        }
        #expect("\(problem)".contains("'status' cannot be optional"), "\(problem)")
    }

    /// Anyone who could write the export could mark anyone Terminated.
    @Test(arguments: [0o664, 0o646])
    func aFeedOthersCanWriteIsRefusedWithTheChmodToRun(mode: Int) throws {
        let file = try FeedFile(Self.bambooHeader)
        #expect(chmod(file.path, mode_t(mode)) == 0)

        #expect {
            try file.read(layout: "bamboohr")
        } throws: { error in
            let text = "\(error)"
            return error is ProtectedFileError && text.contains(file.path)
                && text.contains("mode \(String(mode, radix: 8))")
                && text.contains("chmod go-w \(file.path)")
        }
        #expect(chmod(file.path, 0o644) == 0)
        #expect(try file.read(layout: "bamboohr").rowCount == 0)
    }

    @Test func unterminatedQuoteMakesTheFeedIncomplete() throws {
        let file = try FeedFile(Self.bambooHeader
            + "000101,Ana,,\"Garcia,RN,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,\n")
        #expect {
            try file.read(layout: "bamboohr")
        } throws: { error in
            guard case FeedError.incomplete = error else { return false }
            return true
        }
    }

    @Test func rowWithTheWrongFieldCountIsQuarantinedWithoutAnEmployeeID() throws {
        let (feed, path) = try bamboo("000101,Ana,Garcia")
        #expect(feed.people.isEmpty)
        #expect(feed.quarantined.first?.source == "\(path):2")
        #expect(feed.quarantined.first?.employeeID == nil)
    }

    @Test func sampleDayOneExportQuarantinesOnlyTheImpossibleDate() throws {
        let layout = try ConfigLoader.loadLayout(Fixtures.path("mappings/bamboohr.yaml"))
        let feed = try CSVFeed(path: Fixtures.path("sample/hr/day1.csv"), layout: layout).read()
        #expect(feed.quarantined.map(\.employeeID) == ["000121"])
        #expect(feed.quarantined.first?.problems.first?.contains("'13/45/2026'") == true)
        #expect(feed.people.contains { $0.employeeID == "000118" && $0.status == .active })
    }
}

@Suite struct CSVFeedSuspiciousInputTests {
    let row = "000101,Ana,,García,Registered Nurse,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,000110"

    @Test func lastRowCutOffWithoutALineBreakMakesTheFeedIncomplete() throws {
        let cut = String(row.prefix(40))
        let file = try FeedFile(CSVFeedTests.bambooHeader + row + "\n" + cut)
        #expect(throws: FeedError.self) { try file.read(layout: "bamboohr") }
    }

    @Test func shortLastRowEndingWithALineBreakIsOnlyQuarantined() throws {
        let file = try FeedFile(CSVFeedTests.bambooHeader + row + "\n" + String(row.prefix(40)) + "\n")
        let feed = try file.read(layout: "bamboohr")
        #expect(feed.people.count == 1)
        #expect(feed.quarantined.count == 1)
    }

    /// C1 controls (NEL) and the Unicode line and paragraph separators used to pass the
    /// check and reach the directory; the message names the character and its position.
    @Test(arguments: [("\u{0}", "U+0000"), ("\u{1B}[31m", "U+001B"), ("\u{7F}", "U+007F"),
                      ("\u{85}", "U+0085"), ("\u{80}", "U+0080"), ("\u{9F}", "U+009F"),
                      ("\u{2028}", "U+2028"), ("\u{2029}", "U+2029")])
    func controlCharacterInANameQuarantinesTheRow(_ control: String, _ named: String) throws {
        let hostile = row.replacingOccurrences(of: "Ana", with: "An\(control)a")
        let file = try FeedFile(CSVFeedTests.bambooHeader + hostile + "\n")
        let feed = try file.read(layout: "bamboohr")
        #expect(feed.people.isEmpty)
        let message = "holds a control character (\(named)) at character 3"
        #expect(feed.quarantined.first?.problems.contains { $0.contains(message) } == true,
                "\(feed.quarantined.first?.problems ?? [])")
    }

    /// A tab used to become a space unseen: `Ana<tab>Maria` was planned as `Ana Maria`.
    @Test(arguments: [
        ("Ana", "An\ta", "First Name", "holds a tab at character 3"),
        ("García", "\"Gar\ncía\"", "Last Name", "holds a line break at character 4"),
        ("Nursing", "Nurs\ting", "Department", "holds a tab at character 5"),
        ("RN01", "\"RN\r\n01\"", "Job Code", "holds a line break at character 3"),
    ])
    func aTabOrLineBreakOutsideTheTitleQuarantinesTheRow(
        _ plain: String, _ spaced: String, _ column: String, _ problem: String
    ) throws {
        let hostile = row.replacingOccurrences(of: ",\(plain),", with: ",\(spaced),")
        #expect(hostile != row)
        let file = try FeedFile(CSVFeedTests.bambooHeader + hostile + "\n")

        let feed = try file.read(layout: "bamboohr")

        #expect(feed.people.isEmpty)
        let record = try #require(feed.quarantined.first)
        #expect(record.source == "\(file.path):2")
        #expect(record.problems == ["column '\(column)' \(problem); fix the value in HR"])
    }

    @Test func aLineBreakInsideAQuotedTitleBecomesOneSpace() throws {
        let broken = row.replacingOccurrences(of: "Registered Nurse", with: "\"Registered\r\n\tNurse\"")
        let feed = try FeedFile(CSVFeedTests.bambooHeader + broken + "\n").read(layout: "bamboohr")
        #expect(feed.quarantined.isEmpty)
        #expect(feed.people.first?.jobTitle == "Registered Nurse")
    }

    @Test(arguments: [("\u{202E}", "U+202E"), ("\u{200B}", "U+200B"), ("\u{AD}", "U+00AD"),
                      ("\u{FEFF}", "U+FEFF")])
    func anInvisibleFormattingCharacterQuarantinesTheRow(_ hidden: String, _ named: String) throws {
        let hostile = row.replacingOccurrences(of: "García", with: "Gar\(hidden)cía")
        let file = try FeedFile(CSVFeedTests.bambooHeader + hostile + "\n")
        let feed = try file.read(layout: "bamboohr")
        #expect(feed.people.isEmpty)
        #expect(feed.quarantined.first?.problems == [
            "column 'Last Name' holds the invisible formatting character \(named); fix the value in HR"])
    }

    @Test func joinersThatScriptsNeedAreKept() throws {
        let persian = row.replacingOccurrences(of: "García", with: "می\u{200C}خواهم")
        let feed = try FeedFile(CSVFeedTests.bambooHeader + persian + "\n").read(layout: "bamboohr")
        #expect(feed.quarantined.isEmpty)
        #expect(feed.people.first?.lastName == "می\u{200C}خواهم")
    }

    @Test func aValueLongerThanAnyNameQuarantinesTheRow() throws {
        let long = String(repeating: "x", count: 10_000)
        let feed = try FeedFile(CSVFeedTests.bambooHeader + row.replacingOccurrences(of: "García", with: long)
                                + "\n").read(layout: "bamboohr")
        #expect(feed.people.isEmpty)
        #expect(feed.quarantined.first?.problems == [
            "column 'Last Name' is 10000 characters long, more than the 256 idsync accepts; fix the value in HR"])
    }

    @Test func emptyHireDateQuarantinesTheRow() throws {
        let file = try FeedFile(CSVFeedTests.bambooHeader + row.replacingOccurrences(of: "03/04/2019", with: "") + "\n")
        let feed = try file.read(layout: "bamboohr")
        #expect(feed.quarantined.first?.problems == ["column 'Hire Date' is empty"])
    }

    /// Rows are read into arrays indexed by field ordinal: two fields at one place would read
    /// one column as the other.
    @Test func fieldOrdinalsArePositionsInAllCases() {
        #expect(HRField.allCases.map(\.ordinal) == Array(HRField.allCases.indices))
    }
}

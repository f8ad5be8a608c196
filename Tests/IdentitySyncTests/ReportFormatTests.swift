import Foundation
import Testing

@testable import IdentitySync

/// A day with a hostile joiner, a mover and a leaver, planned on a fake directory.
struct ReportDay {
    static let hostile = "<img src=x onerror=alert(1)>"
    static let formula = "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")"

    let config: Config
    let feed: FeedSnapshot
    let directory: ObservedDirectory
    let plan: Plan

    init(config: Config = Fixtures.config()) {
        var joiner = Fixtures.person("000103", "Eve", "Hacker", department: ReportDay.formula)
        joiner.firstName = ReportDay.hostile
        let nurse = Fixtures.person("000101", "Ana", "Garcia")
        let chief = Fixtures.person(
            "000102", "Grace", "Hopper", jobCode: "MD02", department: "Medicine")
        var leaver = nurse
        leaver.status = .terminated
        leaver.terminationDate = Fixtures.date("2024-03-14")
        var mover = chief
        mover.department = "Cardiology"

        let (nurseAccount, nurseGroups) = Fixtures.synced(nurse, login: "agarcia", config: config)
        let (chiefAccount, chiefGroups) = Fixtures.synced(chief, login: "ghopper", config: config)
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [DistinguishedName]()) })
        for group in nurseGroups { members[group, default: []].append(nurseAccount.dn) }
        for group in chiefGroups { members[group, default: []].append(chiefAccount.dn) }

        self.config = config
        feed = Fixtures.feed([leaver, mover, joiner])
        directory = Fixtures.directory([nurseAccount, chiefAccount], groups: members)
        plan = SyncRun(config: config, instant: Fixtures.runInstant, override: nil)
            .plan(feed: feed, directory: directory)
    }
}

@Suite struct CSVReportTests {
    @Test func aFormulaInANameIsNeutralisedAndTheRowsReadBackOnceThePrefixIsDropped() throws {
        let day = ReportDay()
        let text = CSVReport.render(day.plan)

        let table = try CSVReader.parse(Array(text.utf8), file: "plan.csv")
        #expect(table.header == CSVReport.header)
        #expect(table.rows.count == day.plan.changes.count)
        let people = day.plan.peopleByKey
        let restored = table.rows.map { row in
            row.fields.map { $0.hasPrefix("'") ? String($0.dropFirst()) : $0 }
        }
        let expected = day.plan.changes.map { change in
            CSVReport.row(change, person: change.employeeID.flatMap { people[Person.key($0)] })
        }
        #expect(restored == expected)

        // No cell a spreadsheet would run is left: the department is there with its prefix.
        let cells = table.rows.flatMap(\.fields)
        #expect(
            !cells.contains {
                $0.hasPrefix("=") || $0.hasPrefix("+") || $0.hasPrefix("-") || $0.hasPrefix("@")
            })
        #expect(cells.contains("'" + ReportDay.formula))
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"])
    func everyRiskyFirstCharacterGetsThePrefix(_ cell: String) {
        #expect(CSVReport.neutralised(cell) == "'" + cell)
    }

    @Test func aPlainCellIsLeftAsItIs() {
        #expect(CSVReport.neutralised("Ana García") == "Ana García")
        #expect(CSVReport.neutralised("") == "")
    }

    @Test func aHostileCellInTheFirstColumnIsNeutralisedInTheFile() throws {
        var day = ReportDay().plan
        let change = day.changes[0]
        day.changes = [
            Change(
                kind: change.kind, category: change.category, employeeID: change.employeeID,
                login: "=cmd|' /C calc'!A0", dn: change.dn, reason: change.reason)
        ]
        let text = CSVReport.render(day)
        let table = try CSVReader.parse(Array(text.utf8), file: "plan.csv")
        #expect(table.rows[0].fields[4] == "'=cmd|' /C calc'!A0")
    }
}

@Suite struct HTMLReportTests {
    @Test func aHostileNameIsEscapedAndNeverMarkup() {
        let html = HTMLReport.render(ReportDay().plan)
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("innerHTML"))
    }

    @Test func thePageNeedsNoNetworkAndRunsOnlyItsOwnScript() {
        let html = HTMLReport.render(ReportDay().plan)
        let hash = Data(SHA256.digest(of: HTMLReport.script)).base64EncodedString()
        #expect(html.contains("default-src 'none'"))
        #expect(html.contains("script-src 'sha256-\(hash)'"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<link"))
    }

    @Test func theSummaryCountsAreThePlans() {
        let plan = ReportDay().plan
        let html = HTMLReport.render(plan)
        #expect(html.contains("data-count=\"joiners\">\(plan.summary.joiners)<"))
        #expect(html.contains("data-count=\"leavers\">\(plan.summary.leavers)<"))
        #expect(html.contains("data-count=\"changes\">\(plan.changes.count)<"))
        #expect(plan.summary.joiners == 1 && plan.summary.leavers == 1 && plan.summary.movers == 1)
    }

    @Test func everyCategoryAndKindOfThePlanHasItsRows() {
        let plan = ReportDay().plan
        let html = HTMLReport.render(plan)
        for category in Set(plan.changes.map(\.category)) {
            #expect(html.contains("data-category=\"\(category.rawValue)\""))
        }
        let rows = html.components(separatedBy: "<tr data-kind=\"").count - 1
        #expect(rows == plan.changes.count + plan.findings.count)
    }
}

@Suite struct RedactionTests {
    func redactingConfig() -> Config {
        Fixtures.config { $0.report = ReportConfig(redact: ["termination_date"]) }
    }

    @Test func aRedactedFieldIsHiddenInEveryFormat() throws {
        let day = ReportDay(config: redactingConfig())
        let redaction = Redaction(
            config: day.config.report, layout: day.config.feed.layout, feed: day.feed)
        let plan = redaction.apply(to: day.plan)

        #expect(TextReport.render(day.plan).contains("2024-03-14"))
        let outputs = [
            TextReport.render(plan), CSVReport.render(plan), HTMLReport.render(plan),
            try JSONReport.render(plan, directory: day.directory, redacted: ["termination_date"])
        ]
        for output in outputs {
            #expect(!output.contains("2024-03-14"))
            #expect(output.contains("[redacted]"))
        }
    }

    @Test func theExportsColumnNameHidesTheFieldToo() {
        let config = Fixtures.config { config in
            config.feed.layout.columns[.terminationDate] = "Termination Date"
            config.report = ReportConfig(redact: ["termination date"])
        }
        let redaction = Redaction(config: config.report, layout: config.feed.layout, feed: nil)
        #expect(redaction.hides("termination_date"))
        #expect(redaction.hides("Termination Date"))
        #expect(!redaction.hides("department"))
    }

    @Test func theRawValueOfAQuarantinedRowIsHiddenToo() {
        let config = Fixtures.config { config in
            config.feed.layout.columns[.terminationDate] = "Termination Date"
            config.report = ReportConfig(redact: ["termination_date"])
        }
        let redaction = Redaction(config: config.report, layout: config.feed.layout, feed: nil)

        let csv = "hr.csv:24: column 'Termination Date': '2026-12-01' is not a date in the layout "
            + "MM/dd/yyyy; the account is left as it is"
        let scim = "attribute 'Termination Date': 'soon' is not a date in the layout yyyy-MM-dd nor a dateTime"
        let other = "column 'Hire Date': '13/45/2026' is not a date in the layout MM/dd/yyyy"

        #expect(redaction.scrubQuoted(csv) == "hr.csv:24: column 'Termination Date': '[redacted]' is not "
                + "a date in the layout MM/dd/yyyy; the account is left as it is")
        #expect(redaction.scrubQuoted(scim) == "attribute 'Termination Date': '[redacted]' is not a date in "
                + "the layout yyyy-MM-dd nor a dateTime")
        #expect(redaction.scrubQuoted(other) == other)
    }

    @Test func redactionChangesNothingThatIsWritten() {
        let day = ReportDay(config: redactingConfig())
        let redaction = Redaction(
            config: day.config.report, layout: day.config.feed.layout, feed: day.feed)
        let plan = redaction.apply(to: day.plan)
        #expect(
            plan.changes.map(SavedPlanSelection.identity)
                == day.plan.changes.map(SavedPlanSelection.identity))
    }
}

import Foundation
import Testing

@testable import IdentitySync

@Suite struct ReviewFileTests {
    func proposal(name: String = "John Smith", login: String = "jsmith") -> AdoptionProposal {
        AdoptionProposal(
            accountDN: "uid=\(login),\(peopleDN)", login: login, employeeID: "000116", hrName: name,
            hrStatus: "active", confidence: .high,
            evidence: [
                MatchEvidence(
                    attribute: "mail", accountValue: "j@example.org", field: "work_email",
                    hrValue: "j@example.org")
            ])
    }

    func temporary(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idsync-review-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    @Test func cellsASpreadsheetWouldRunAreWrittenAsText() throws {
        let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
        for name in hostile {
            let csv = ReviewFile.csv([proposal(name: name)])
            let row = csv.split(separator: "\r\n")[1]
            let cell = ReviewFile.quoted("'" + name)
            #expect(row.contains("000116," + cell + ","), "\(row)")
        }
        #expect(ReviewFile.neutralised("Ana") == "Ana")
        #expect(ReviewFile.neutralised("O'Brien") == "O'Brien")
    }

    @Test func csvReadsBackWithTheQuoteDroppedAndTheDecisions() throws {
        let path = try temporary("review.csv")
        try ReviewFile.writePrivate(
            ReviewFile.csv([proposal(name: "-Dash"), proposal(login: "jsmith2")]), to: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let rows = try ReviewFile.read(path: path)
        #expect(rows.map(\.hrName) == ["-Dash", "John Smith"])
        #expect(rows.map(\.decision) == [.yes, .yes])
        #expect(rows.map(\.line) == [2, 3])
    }

    @Test func jsonCarriesTheSameRows() throws {
        let path = try temporary("review.json")
        try ReviewFile.writePrivate(
            try ReviewFile.json([proposal()], feed: "hr.csv", fingerprint: "f"), to: path)
        let rows = try ReviewFile.read(path: path)
        #expect(
            rows == [
                ReviewRow(
                    line: 1, accountDN: "uid=jsmith,\(peopleDN)", login: "jsmith",
                    employeeID: "000116", hrName: "John Smith", decision: .yes)
            ])
    }

    @Test func anApprovedCellThatIsNoAnswerIsRefusedWithFileAndLine() throws {
        let path = try temporary("review.csv")
        let text = ReviewFile.csv([proposal(), proposal(login: "x")]).replacingOccurrences(
            of: ",yes\r\n", with: ",maybe\r\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: ReviewFileError.self) { try ReviewFile.read(path: path) }
        #expect(error.problems.map(\.line) == [2, 3])
        #expect("\(error)".contains("\(path):2: approved is 'maybe'; write yes, no or reject"))
    }

    @Test func aHeaderWithoutTheNeededColumnsIsRefused() throws {
        let path = try temporary("review.csv")
        try "dn,approved\r\nuid=x,yes\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: ReviewFileError.self) { try ReviewFile.read(path: path) }
        #expect(
            "\(error)".contains(
                "\(path):1: the header lacks account_dn, login, employee_id, hr_name"))
    }
}

@Suite struct AdoptionApplierTests {
    let john = Handmade.person("000116", "John", "Smith")
    let mary = Handmade.person("000130", "Mary", "Lee")
    let groups = Dictionary(
        uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })

    func directory() -> ObservedDirectory {
        Fixtures.directory(
            [
                Handmade.account("jsmith", given: "John", sn: "Smith", department: "Nursing"),
                Handmade.account("mlee", given: "Mary", sn: "Lee", department: "Nursing"),
            ],
            groups: groups)
    }

    func row(
        _ line: Int, _ login: String, _ id: String, _ name: String,
        _ decision: ReviewDecision = .yes
    ) -> ReviewRow {
        ReviewRow(
            line: line, accountDN: "uid=\(login),\(peopleDN)", login: login, employeeID: id,
            hrName: name,
            decision: decision)
    }

    func check(
        _ rows: [ReviewRow], directory: ObservedDirectory? = nil
    ) throws -> [AdoptionApplier.Checked] {
        try AdoptionApplier(config: Fixtures.config(), file: "review.csv")
            .check(
                rows, feed: Fixtures.feed([john, mary]), directory: directory ?? self.directory()
            ) { _ in false }
    }

    @Test func approvedRowsGetTheEmployeeIDAndStateThenSyncManagesThem() throws {
        let fake = FakeDirectory(directory())
        let audit = try AuditFile()
        let checked = try check([
            row(2, "jsmith", "000116", "John Smith"), row(3, "mlee", "000130", "Mary Lee", .no),
        ])
        let outcomes = try AdoptionApplier(config: Fixtures.config(), file: "review.csv")
            .apply(
                checked, connector: fake, audit: try audit.open(), approvedBy: "M. Rivera",
                reason: "CHG-7")
        #expect(outcomes.map(\.result) == [.adopted])
        #expect(fake.operations.map(\.summary) == ["update uid=jsmith,\(peopleDN)"])
        let adopted = try #require(fake.account("jsmith"))
        #expect(adopted.employeeID == "000116")
        #expect(adopted.state == AccountState())
        #expect(adopted.attributes["objectclass"] == ["inetOrgPerson", "idsyncAccount"])
        #expect(fake.account("mlee")?.employeeID == nil, "a row that says no is left alone")

        let records = try audit.records()
        #expect(records.map(\.event) == ["attempt", "change"], "the attempt is written first")
        #expect(records.first?.dn == "uid=jsmith,\(peopleDN)" && records.first?.after == nil)
        let record = try #require(records.last)
        #expect(
            record.action == "adopt" && record.approvedBy == "M. Rivera" && record.reason == "CHG-7"
        )
        #expect(
            record.before?["employeeNumber"] == [] && record.after?["employeeNumber"] == ["000116"])
        #expect(record.after?["idsyncState"] == ["idsync:v1"] && record.result == "ok")
        #expect(record.detail?.contains("review.csv:2; medium: givenName+sn 'John Smith'") == true)

        // The next plan creates no second account for John and gives him his role groups.
        let plan = Fixtures.plan([john, mary], try fake.observe())
        #expect(changes(plan, .createAccount).map(\.employeeID) == [])
        #expect(
            changes(plan, .addToGroup).filter { $0.employeeID == "000116" }.map(\.target)
                == [
                    "cn=all-staff,\(groupsDN)", "cn=ehr-users,\(groupsDN)",
                    "cn=nursing,\(groupsDN)",
                ])
        expectFinding(plan, .probableAccount, containing: "uid=mlee")
    }

    @Test func rowsEditedIntoNonsenseStopEverythingNamingTheirLines() throws {
        let rows = [
            row(2, "jsmith", "116", "John Smith"),  // leading zeros lost
            row(3, "mlee", "000116", "Mary Lee"),  // employee id edited
            row(4, "nobody", "000130", "Mary Lee"),  // no such account
            ReviewRow(
                line: 5, accountDN: "uid=mlee,\(peopleDN)", login: "jsmith", employeeID: "000130",
                hrName: "Mary Lee", decision: .yes),  // login does not go with the DN
            row(6, "mlee", "000130", "Mary Lee"), row(7, "mlee", "000130", "Mary Lee"),
        ]
        let error = try #require(throws: ReviewFileError.self) { try check(rows) }
        let text = "\(error)"
        #expect(text.contains("nothing was written"))
        #expect(text.contains("review.csv:2: employee id '116' is not in the feed"))
        #expect(
            text.contains(
                "review.csv:3: hr_name is 'Mary Lee' but employee id 000116 is John Smith"))
        #expect(text.contains("review.csv:4: no account uid=nobody,\(peopleDN)"))
        #expect(
            text.contains(
                "review.csv:5: login is 'jsmith' but the account uid=mlee,\(peopleDN) "
                    + "has the login 'mlee'"
            ))
        #expect(
            text.contains("lines 3, 5, 6, 7 approve the account uid=mlee,\(peopleDN) for 4 people"))
    }

    @Test func rowsTheDirectoryOvertookAreSkippedAndTheRestApplied() throws {
        var observed = directory()
        observed.accounts[0].employeeID = "000999"  // someone claimed jsmith by hand meanwhile
        let fake = FakeDirectory(observed)
        let audit = try AuditFile()
        let checked = try check(
            [row(2, "jsmith", "000116", "John Smith"), row(3, "mlee", "000130", "Mary Lee")],
            directory: observed)
        let outcomes = try AdoptionApplier(config: Fixtures.config(), file: "review.csv")
            .apply(
                checked, connector: fake, audit: try audit.open(), approvedBy: "M. Rivera",
                reason: nil)
        #expect(
            outcomes.map(\.result) == [
                .skipped("the account was claimed meanwhile: it carries employee id 000999"),
                .adopted,
            ])
        #expect(fake.operations.map(\.summary) == ["update uid=mlee,\(peopleDN)"])
        #expect(try audit.records().map { $0.result ?? $0.event } == ["attempt", "skipped", "ok"])
    }

    @Test func aRejectedMatchIsRememberedOnTheAccountAndThePersonIsCreated() throws {
        let fake = FakeDirectory(directory())
        let checked = try check([row(2, "jsmith", "000116", "John Smith", .reject)])
        let outcomes = try AdoptionApplier(config: Fixtures.config(), file: "review.csv")
            .apply(
                checked, connector: fake, audit: try AuditFile().open(), approvedBy: "M. Rivera",
                reason: nil)
        #expect(outcomes.map(\.result) == [.rejected])
        #expect(fake.account("jsmith")?.state?.notMatches == ["000116"])
        #expect(fake.account("jsmith")?.employeeID == nil)
        let plan = Fixtures.plan([john], try fake.observe())
        #expect(changes(plan, .createAccount).map(\.dn) == ["uid=jsmith2,\(peopleDN)"])
    }
}

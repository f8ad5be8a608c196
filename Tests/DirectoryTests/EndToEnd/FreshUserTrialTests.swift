import Foundation
import LDAP
import Testing

/// Findings of a fresh user's trial against a real slapd: a manager's quarantined row, and
/// an entry with an employee id but no login.
@Suite struct FreshUserTrialTests {
    /// The manager's unreadable hire date used to clear `manager` on each of their reports.
    @Test func aQuarantinedManagerRowLeavesTheReportsManagerAsItIs() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        let grace = try LDAPDN.normalize(try slapd.person(uid: "ghopper").dn)
        var unreadable = chief
        unreadable.hire = "2010-01-15"
        let joiner = HRRow(id: "000120", first: "Alan", last: "Turing", manager: "000110")
        try site.writeFeed([unreadable, nurse, pharmacist, clerk, joiner])

        let output = try site.run("sync")

        expectStatus(output, 1)
        for uid in ["agarcia", "cdubois", "jsmith"] {
            let manager = try slapd.person(uid: uid).values("manager").map(LDAPDN.normalize)
            #expect(manager == [grace], "\(uid): \(manager)")
        }
        #expect(try slapd.person(uid: "aturing").values("manager").isEmpty)
        #expect(output.stdout.contains("manager: [000110] the row of manager 000110 is "
                                       + "quarantined"), "\(output.stdout)")
        #expect(output.stdout.contains("the manager on the accounts of 000101, 000103, 000104 "
                                       + "is left as it is; the accounts of 000120 are "
                                       + "created without a manager for now"),
                "\(output.stdout)")
    }

    /// An entry without a uid was invisible: it stayed bindable after 000103 left, unnamed.
    @Test func anEntryWithAnEmployeeIDButNoLoginIsNamedOnEveryPlan() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.loadLDIF("""
            dn: cn=Chloe Extra,\(people)
            objectClass: inetOrgPerson
            cn: Chloe Extra
            sn: Extra
            employeeNumber: 000103
            userPassword: Pharmacy-2026
            """)
        try site.writeFeed([chief, nurse, pharmacist.terminated(), clerk])

        let sync = try site.run("sync")
        let plan = try site.run("plan")

        expectStatus(sync, 1)
        expectStatus(plan, 1)
        for output in [sync, plan] {
            let findings = output.stdout.components(separatedBy: "unmanaged-entry: ").count - 1
            #expect(findings == 1, "\(output.stdout)")
            #expect(output.stdout.contains("unmanaged-entry: [000103] this entry carries "
                                           + "employeeNumber 000103 but no uid, so idsync can "
                                           + "neither manage nor disable it"), "\(output.stdout)")
            #expect(output.stdout.contains("(cn=Chloe Extra,\(people))"), "\(output.stdout)")
            #expect(output.stdout.contains("  unmanaged entries 1  changes "), "\(output.stdout)")
        }
        let json = try site.run("plan", ["--format", "json"])
        let document = try #require(
            JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let saved = try #require(document["plan"] as? [String: Any])
        let summary = try #require(saved["summary"] as? [String: Int])
        #expect(summary["unmanagedEntries"] == 1, "\(summary)")
        #expect(document["schema"] as? Int == 4)
        #expect(try slapd.person(uid: "cdubois").values("pwdAccountLockedTime").count == 1)
    }
}

/// Instants and dates at the edges of the calendar: --at 0001-01-01T00:00:00Z planned for
/// 0001-12-31 (Foundation's calendar is Julian before 1582), and a feed's 0001-01-01 (a
/// placeholder for "no date") was a termination long past.
@Suite struct CalendarEdgeTests {
    @Test(arguments: ["0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "9999-01-01T00:00:00Z"])
    func anInstantOutsideTheYearsIsRefusedNamingTheOption(instant: String) throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)

        let output = try site.run("plan", at: instant)

        expectStatus(output, 2)
        #expect(output.stderr.contains("--at '\(instant)' lies outside the instants idsync "
                                       + "takes (1900-01-01T00:00:00Z up to 9998-12-31T23:59:59Z)"),
                "\(output.stderr)")
    }

    @Test func theEdgesOfTheYearsAreTaken() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)

        for instant in ["1900-01-01T05:00:00Z", "9998-12-31T23:59:59Z"] {
            let output = try site.run("plan", at: instant)
            expectStatus(output, 0)
            let date = instant.prefix(10)
            #expect(output.stdout.contains("idsync plan for \(date) "), "\(output.stdout)")
        }
        let early = try TestSlapd.run(executable: SyncFixture.binary, arguments: [
            "plan", "--config", site.configPath, "--today", "0001-01-01"])
        expectStatus(early, 2)
        #expect(early.stderr.contains("--today '0001-01-01' lies outside the dates idsync takes"),
                "\(early.stderr)")
    }

    @Test func aFeedDateOutsideTheYearsQuarantinesItsRow() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        var placeholder = nurse
        placeholder.termination = "01/01/0001"
        try site.writeFeed([chief, placeholder, pharmacist, clerk])

        // A quarantined row is no person: the feed is one short of the accounts.
        let output = try site.run("sync", ["--allow-changes", "1", "--reason", "CHG-1"])

        expectStatus(output, 1)
        #expect(output.stdout.contains("quarantined: [000101] \(site.feedPath):3: column "
                                       + "'Termination Date': '01/01/0001' lies outside the "
                                       + "years idsync takes (1900-9999)"), "\(output.stdout)")
        #expect(try slapd.person(uid: "agarcia").values("pwdAccountLockedTime").isEmpty,
                "a placeholder is no last day")
    }
}

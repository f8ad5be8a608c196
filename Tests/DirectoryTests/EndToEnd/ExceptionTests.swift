import Foundation
import LDAP
import Testing

/// The exceptions file on a real slapd: John Smith, an admissions clerk, covers the
/// physicians' float pool until 2026-12-10.
@Suite struct ExceptionTests {
    func site(
        _ slapd: TestSlapd, group: String = "physicians", until: String = "2026-12-10",
        guards: String = SyncFixture.roomyGuards
    ) throws -> SyncFixture {
        let file = slapd.dir + "/exceptions.yaml"
        try """
        exceptions:
          - employee_id: "000104"
            group: \(group)
            until: \(until)
            approved_by: Dr. Grace Hopper
            why: float-pool cover, CHG-5120
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return try SyncFixture(
            slapd: slapd, guards: guards + "\nexceptions:\n  path: \(file)\n  max_days: 90\n")
    }

    func isMember(_ slapd: TestSlapd, _ uid: String, of group: String) throws -> Bool {
        try slapd.members(of: group)?.contains(LDAPDN.normalize(personDN(uid))) == true
    }

    @Test func exceptionIsGrantedStaysThroughUntilAndGoesTheDayAfter() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd)
        try site.writeFeed(smallHospital)

        let first = try site.run("sync")

        expectStatus(first, 0)
        #expect(try isMember(slapd, "jsmith", of: "physicians"))
        #expect(
            first.stdout.contains("the exception for physicians ends on 2026-12-10 (in 9 days)"))
        let grant = try site.changeRecords().first {
            ($0["target"] as? String)?.hasPrefix("cn=physicians") == true
        }
        #expect((grant?["reason"] as? String)?.contains("approved by Dr. Grace Hopper") == true)

        let lastDay = try site.run("sync", at: "2026-12-10T17:00:00Z")
        expectStatus(lastDay, 0)
        #expect(try isMember(slapd, "jsmith", of: "physicians"))
        #expect(appliedCount(lastDay.stdout) == 0)

        let dayAfter = try site.run("sync", at: "2026-12-11T17:00:00Z")
        expectStatus(dayAfter, 0)
        #expect(try !isMember(slapd, "jsmith", of: "physicians"))
        #expect(dayAfter.stdout.contains("ended on 2026-12-10"))
        #expect(try isMember(slapd, "agarcia", of: "nursing"))
        #expect(plannedChanges(try site.run("plan", at: "2026-12-11T17:00:00Z").stdout) == 0)
    }

    @Test func privilegedExceptionWithoutPhishingResistantMFAIsRefused() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd, group: "ehr-superusers")
        try site.writeFeed(smallHospital)

        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(output.stdout.contains("refused: ehr-superusers is privileged"))
        #expect(
            try slapd.members(of: "ehr-superusers")?.contains(LDAPDN.normalize(personDN("jsmith")))
                != true)
    }

    @Test func exceptionBeyondTheHorizonStopsWithItsLine() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd, until: "2027-06-01")
        try site.writeFeed(smallHospital)
        let before = try slapd.dump()

        let output = try site.run("sync")

        expectStatus(output, 2)
        #expect(
            output.stderr.contains(
                "exceptions.yaml:2: 'until' 2027-06-01 is 182 days after 2026-12-01"))
        #expect(try slapd.dump() == before)
    }

    @Test func joinerBudgetStopsTheRunUntilAllowedWithAReason() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(
            slapd: slapd,
            guards: SyncFixture.roomyGuards
                + "\n  max_joiners: {count: 3, percent: 100}")
        try site.writeFeed(smallHospital)
        let before = try slapd.dump()

        let stopped = try site.run("sync")

        expectStatus(stopped, 3)
        #expect(stopped.stdout.contains("STOP joiners: 4 joiners"))
        #expect(stopped.stdout.contains("stops above 3"))
        #expect(stopped.stdout.contains("--allow-changes 4 --reason TEXT"))
        #expect(try slapd.dump() == before)
        #expect(try site.changeRecords().isEmpty)

        let allowed = try site.run(
            "sync", ["--allow-changes", "4", "--reason", "new clinic opens, CHG-7"])

        expectStatus(allowed, 0)
        #expect(allowed.stdout.contains("OVERRIDE joiners"))
        #expect(try slapd.entries("(employeeNumber=*)").count == 4)
    }
}

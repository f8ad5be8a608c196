import Foundation
import LDAP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ten people, each alone in nothing but the role groups of an admissions clerk.
let tenClerks = (0..<10).map { index in
    HRRow(id: String(format: "0002%02d", index), first: "Clerk", last: "Number\(index)")
}

@Suite struct RunSafetyTests {
    @Test func secondConcurrentRunExitsFour() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        let before = try slapd.dump()

        let fd = open(site.lockPath, O_RDWR | O_CREAT, 0o600)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let output = try site.run("sync")

        expectStatus(output, 4)
        #expect(output.stderr.contains("another idsync run holds the lock \(site.lockPath)"))
        #expect(try slapd.dump() == before)
        #expect(try site.changeRecords().isEmpty)
    }

    @Test func emptyFeedStopsWithExitThreeAndWritesNothing() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        let before = try slapd.dump()
        let changes = try site.changeRecords().count

        try site.writeFeed([])
        let output = try site.run("sync")

        expectStatus(output, 3)
        #expect(output.stdout.contains("STOP empty-feed"))
        #expect(try slapd.dump() == before)
        #expect(try site.changeRecords().count == changes)
    }

    @Test func shrunkFeedStopsUntilAllowedWithAReasonThatIsAudited() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd, guards: """
            guards:
              max_feed_shrink_percent: 10
              max_leavers: {count: 50, percent: 25}
              max_group_removals: {count: 500, percent: 100}
            """)
        try site.writeFeed(tenClerks)
        expectStatus(try site.run("sync"), 0)
        let before = try slapd.dump()
        try site.writeFeed(Array(tenClerks.prefix(7)))

        let stopped = try site.run("sync")

        expectStatus(stopped, 3)
        #expect(stopped.stdout.contains("STOP feed-shrink"))
        #expect(stopped.stdout.contains("--allow-changes 3 --reason TEXT"))
        #expect(try slapd.dump() == before)

        let reason = "HR confirmed three leavers, ticket CHG-4711"
        let allowed = try site.run("sync", ["--allow-changes", "3", "--reason", reason])

        expectStatus(allowed, 0)
        let locked = try slapd.entries("(pwdAccountLockedTime=*)").compactMap { $0.first("employeeNumber") }
        #expect(Set(locked) == ["000207", "000208", "000209"])
        let run = try #require(try site.changeRecords().last?["run"] as? String)
        let records = try site.auditRecords().filter { $0["run"] as? String == run }
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { ($0["actor"] as? [String: Any])?["reason"] as? String == reason })
    }

    @Test func disableRefusedWithoutLockoutPolicy() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.modifyLDIF("""
            dn: cn=default,ou=policies,dc=example,dc=org
            changetype: modify
            replace: pwdLockout
            pwdLockout: FALSE
            """)

        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains("FAILED disable 000101 agarcia"))
        #expect(output.stdout.contains("cannot confirm that a disable takes effect"))
        #expect(output.stdout.contains("lacks pwdLockout: TRUE"))
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime").isEmpty)
        #expect(ana.values("memberOf").isEmpty)
    }

    /// DirectorySession.open checks the transport before LDAPConnection exists, so
    /// 192.0.2.1 (TEST-NET-1) is never contacted.
    @Test func plainLDAPToNonLoopbackIsRefused() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd, url: "ldap://192.0.2.1/")
        try site.writeFeed(smallHospital)

        for command in ["plan", "sync"] {
            let output = try site.run(command)

            expectStatus(output, 2)
            #expect(output.stderr.contains("directory.url ldap://192.0.2.1/ is plain LDAP to another host"))
        }
        #expect(try site.changeRecords().isEmpty)
    }
}

@Suite struct ReadLimitTests {
    /// The small hospital in the feed, and 1,200 accounts nobody claimed in the directory.
    private func slapdWith1200Accounts() throws -> TestSlapd {
        let slapd = try TestSlapd()
        let requests = (0..<1_200).map { addPerson(String(format: "bulk%05d", $0)) }
        try performAll(requests, on: try slapd.adminConnection())
        return slapd
    }

    @Test func pagedReadBeyond500() throws {
        let slapd = try slapdWith1200Accounts()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)

        let output = try site.run("plan")

        expectStatus(output, 0)
        #expect(output.stdout.contains("directory: 1200 accounts observed"))
        #expect(output.stdout.contains("orphans 1200"))
    }

    @Test func sizeLimitExceededStopsTheRun() throws {
        let slapd = try slapdWith1200Accounts()
        let site = try SyncFixture(slapd: slapd, bindAs: .reader)
        try site.writeFeed(smallHospital)
        let before = try slapd.dump()

        let output = try site.run("sync")

        expectStatus(output, 3)
        #expect(output.stderr.contains("as \(slapd.readerDN) failed"))
        #expect(output.stderr.contains("4 Size limit exceeded"))
        #expect(output.stderr.contains("olcLimits: dn.exact=\"\(slapd.readerDN)\" size.prtotal=unlimited"))
        #expect(try slapd.dump() == before)
        #expect(try site.changeRecords().isEmpty)
    }
}

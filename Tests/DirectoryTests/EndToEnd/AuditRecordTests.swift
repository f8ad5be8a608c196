import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a SIEM reading the audit log needs from each record: the exit code at the end of a
/// run, the lock, state and DN a change touched, the config hash on every record, and word of
/// a run that never ended.
@Suite struct AuditRecordTests {
    static func runEnds(_ site: SyncFixture) throws -> [[String: Any]] {
        try site.auditRecords().filter { $0["event"] as? String == "run-end" }
    }

    /// A run that exits 1 said "ok" at its end (only failed changes made it "partial").
    @Test func theRunEndRecordCarriesTheExitCode() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        var badDate = HRRow(id: "000120", first: "Bad", last: "Date")
        badDate.hire = "13/45/2026"
        try site.writeFeed(smallHospital + [badDate])

        expectStatus(try site.run("sync"), 1)

        let ends = try Self.runEnds(site)
        #expect(ends.count == 2)
        #expect(ends.first?["result"] as? String == "ok")
        #expect(ends.first?["exitCode"] as? Int == 0)
        #expect(ends.last?["result"] as? String == "partial")
        #expect(ends.last?["exitCode"] as? Int == 1)
    }

    @Test func aStoppedRunEndRecordsExitThree() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try site.writeFeed([chief])

        expectStatus(try site.run("sync"), 3)

        let end = try #require(try Self.runEnds(site).last)
        #expect(end["result"] as? String == "stopped")
        #expect(end["exitCode"] as? Int == 3)
    }

    /// Disables and enables had `before: {}`, moves empty before and after.
    @Test func disableEnableAndMoveRecordWhatTheyChanged() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.setPassword("Night-shift-2026", for: personDN("agarcia"))
        var contractor = clerk
        contractor.workerType = "Contractor"
        try site.writeFeed([chief, nurse.terminated(), pharmacist, contractor])
        expectStatus(try site.run("sync"), 0)
        var rehired = nurse
        rehired.hire = "11/20/2026"
        try site.writeFeed([chief, rehired, pharmacist, contractor])
        expectStatus(try site.run("sync"), 0)

        let changes = try site.changeRecords()
        let disable = try #require(changes.first { $0["action"] as? String == "disable" })
        let before = try #require(disable["before"] as? [String: [String]])
        let after = try #require(disable["after"] as? [String: [String]])
        #expect(before["pwdAccountLockedTime"] == [])
        #expect(before["state"]?.first?.hasPrefix("idsync:v1") == true)
        #expect(before["state"]?.first?.contains("disabled=") == false)
        #expect(after["pwdAccountLockedTime"] == ["000001010000Z"])
        #expect(after["state"]?.first?.contains("disabled=leaver") == true)
        // The wipe is named, never a value: no password is in the record.
        #expect(!"\(disable)".contains("Night-shift-2026"))
        #expect(before["userPassword"] == nil && after["userPassword"] == nil)

        let enable = try #require(changes.first { $0["action"] as? String == "enable" })
        let enabledBefore = try #require(enable["before"] as? [String: [String]])
        let enabledAfter = try #require(enable["after"] as? [String: [String]])
        #expect(enabledBefore["pwdAccountLockedTime"] == ["000001010000Z"])
        #expect(enabledBefore["state"]?.first?.contains("disabled=leaver") == true)
        #expect(enabledAfter["pwdAccountLockedTime"] == [])
        #expect(enabledAfter["state"]?.first?.contains("disabled=") == false)

        let move = try #require(changes.first { $0["action"] as? String == "move" })
        #expect(move["before"] as? [String: [String]] == ["dn": [personDN("jsmith")]])
        #expect(move["after"] as? [String: [String]]
            == ["dn": ["uid=jsmith,ou=contractors,ou=people,dc=example,dc=org"]])
    }

    /// README says every record carries the config hash; terminate's did not.
    @Test func everyRecordOfTerminateAndReinstateCarriesTheConfigHash() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)

        let options = ["--employee", "000101", "--reason", "test", "--yes"]
        expectStatus(try site.run("terminate", options), 0)
        expectStatus(try site.run("reinstate", options), 0)

        let records = try site.auditRecords()
        let hashes = Set(records.compactMap { $0["configHash"] as? String })
        #expect(hashes.count == 1 && hashes.first?.hasPrefix("sha256:") == true)
        #expect(records.allSatisfy { $0["configHash"] != nil }, "\(records)")
        let ends = try Self.runEnds(site)
        #expect(ends.count == 3)
        #expect(ends.allSatisfy { $0["exitCode"] as? Int == 0 && $0["result"] as? String == "ok" })
    }

    /// kill -9 after the run-start: the next run-start names the run that never ended.
    @Test func theNextRunNamesARunThatWasKilled() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)

        // slapd stopped: the sync writes its run-start and then waits on the directory.
        slapd.pause()
        let pid: pid_t
        do {
            defer { slapd.resume() }
            pid = try site.startSync()
            var started = false
            for _ in 0..<3_000 where !started {
                started = try site.auditRecords().contains { $0["event"] as? String == "run-start" }
                if !started { usleep(10_000) }
            }
            #expect(started, "the sync wrote no run-start")
            kill(pid, SIGKILL)
            _ = TestSlapd.waitForExit(pid)
        }
        let killed = try #require(try site.auditRecords().first?["run"] as? String)

        expectStatus(try site.run("sync"), 0)
        expectStatus(try site.run("sync"), 0)

        let starts = try site.auditRecords().filter { $0["event"] as? String == "run-start" }
        #expect(starts.count == 3)
        #expect(starts[1]["unfinishedRun"] as? String == killed)
        #expect((starts[1]["detail"] as? String)?.contains("run \(killed) (pid \(pid)) began "
            + "and never ended") == true, "\(starts[1])")
        #expect(starts[2]["unfinishedRun"] == nil)
        #expect(try Self.runEnds(site).count == 2)
    }
}

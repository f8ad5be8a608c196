import Connectors
import Foundation
import IdentitySync
import LDAP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How nightly syncs and on-demand terminations agree, and how they share the lock.
@Suite struct TerminateNightlyTests {
    @Test func nightlyKeepsATerminatedPersonDisabledWhileHRShowsThemActive() throws {
        let (slapd, site) = try terminateFixture()
        let anaDN = try LDAPDN.normalize(personDN("agarcia"))
        expectStatus(try site.terminate(employee: "000101"), 0)
        // Someone adds her back to a group by hand; HR still shows her active.
        try slapd.modifyLDIF(
            """
            dn: cn=nursing,\(groups)
            changetype: modify
            add: member
            member: \(anaDN)
            """)

        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == 49)
        #expect(try slapd.members(of: "nursing")?.contains(anaDN) == false)
        #expect(output.stdout.contains("conflict: [000101]"))
        #expect(output.stdout.contains("terminated on demand on 2026-12-01"))
        #expect(output.stdout.contains("idsync reinstate --employee '000101'"))
        #expect(!output.stdout.contains("enable 000101"))
        let plan = try site.run("plan")
        #expect(plannedChanges(plan.stdout) == 0)
        #expect(plan.stdout.contains("conflict: [000101]"), "the conflict is reported every night")
    }

    @Test func whenHRRecordsTheTerminationTheOnDemandFactGoes() throws {
        let (slapd, site) = try terminateFixture()
        expectStatus(try site.terminate(employee: "000101"), 0)
        try site.writeFeed([chief, nurse.terminated(on: "12/01/2026"), pharmacist, clerk])

        let output = try site.run("sync", at: "2026-12-02T17:00:00Z")

        expectStatus(output, 0)
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime") == ["000001010000Z"])
        let state = try #require(ana.first("idsyncState"))
        #expect(!state.contains("terminated"), "\(state)")
        #expect(state.contains("disabled=leaver"))
        #expect(!output.stdout.contains("conflict: [000101]"))
        #expect(plannedChanges(try site.run("plan", at: "2026-12-02T17:00:00Z").stdout) == 0)
    }

    @Test func aRehireAfterTheTerminationDateIsReEnabled() throws {
        let (slapd, site) = try terminateFixture()
        expectStatus(
            try site.run(
                "terminate", ["--employee", "000101", "--reason", "walked out", "--yes"],
                at: "2026-11-20T17:00:00Z"), 0)
        var rehired = nurse
        rehired.hire = "11/25/2026"
        try site.writeFeed([chief, rehired, pharmacist, clerk])

        let output = try site.run("sync")

        expectStatus(output, 0)
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime").isEmpty)
        #expect(ana.first("idsyncState")?.contains("terminated") == false)
        #expect(try slapd.members(of: "nursing")?.contains(LDAPDN.normalize(ana.dn)) == true)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Night-shift-2026") == nil)
    }

    @Test func reinstateLetsTheNextSyncReEnableThroughTheRehirePath() throws {
        let (slapd, site) = try terminateFixture()
        let anaDN = try LDAPDN.normalize(personDN("agarcia"))
        expectStatus(try site.terminate(employee: "000101"), 0)

        let reinstate = try site.run(
            "reinstate",
            [
                "--employee", "000101", "--reason", "wrong person",
                "--ticket", "INC-4712", "--yes",
            ])

        expectStatus(reinstate, 0)
        #expect(reinstate.stdout.contains("the next 'idsync sync' re-enables the account"))
        let state = try #require(try slapd.person(uid: "agarcia").first("idsyncState"))
        #expect(!state.contains("terminated"))
        #expect(
            slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == 49,
            "locked until the sync")
        let record = try #require(try site.records("set-attributes").last)
        #expect((record["reason"] as? String)?.hasPrefix("reinstate: ") == true)
        #expect((record["actor"] as? [String: Any])?["ticket"] as? String == "INC-4712")

        let sync = try site.run("sync")

        expectStatus(sync, 0)
        #expect(sync.stdout.contains("enable 000101"))
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == nil)
        for group in nurseGroups {
            #expect(try slapd.members(of: group)?.contains(anaDN) == true, "not back in \(group)")
        }
        let again = try site.run(
            "reinstate", ["--employee", "000101", "--reason", "again", "--yes"])
        expectStatus(again, 0)
        #expect(again.stdout.contains("carries no on-demand termination: nothing to reinstate"))
    }

    // MARK: The lock

    /// Holds the sync lock as a running sync would, and starts `terminate --yes` for
    /// agarcia (000101), which waits up to 60 s for it. The caller releases the lock.
    func terminateWhileTheLockIsHeld(_ site: SyncFixture) throws -> (HeldLock, pid_t) {
        try site.appendConfig("terminate:\n  lock_wait: 60s\n")
        let held = try HeldLock(site.lockPath)
        let pid = try TestSlapd.spawn(
            SyncFixture.binary,
            [
                "terminate", "--config", site.configPath, "--employee", "000101", "--reason",
                "walked out", "--yes",
            ],
            stdout: site.dir + "/terminate.out", stderr: site.dir + "/terminate.err")
        return (held, pid)
    }

    @Test func terminateWaitsForARunningSyncThenProceeds() throws {
        let (slapd, site) = try terminateFixture()
        let (held, pid) = try terminateWhileTheLockIsHeld(site)

        // It waits: nothing is written while the other run holds the lock.
        try waitFor {
            TestSlapd.contents(site.dir + "/terminate.err").contains("waiting up to 60 s")
        }
        usleep(500_000)
        #expect(!TestSlapd.hasExited(pid))
        #expect(try slapd.person(uid: "agarcia").values("pwdAccountLockedTime").isEmpty)
        held.release()
        let status = TestSlapd.waitForExit(pid)

        #expect(status == 0, "\(TestSlapd.contents(site.dir + "/terminate.err"))")
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Night-shift-2026") == 49)
        #expect(
            TestSlapd.contents(site.dir + "/terminate.out").contains(
                "for the running idsync job to release"))
    }

    /// The preview was printed before the wait for the lock: a group the running sync added
    /// meanwhile was missing from it, though the receipt removed it.
    @Test func thePreviewIsReadOnceTheLockIsHeld() throws {
        let (slapd, site) = try terminateFixture()
        let (held, pid) = try terminateWhileTheLockIsHeld(site)
        try waitFor {
            TestSlapd.contents(site.dir + "/terminate.err").contains("waiting up to 60 s")
        }

        // What the run holding the lock does meanwhile: a grant.
        try slapd.modifyLDIF("""
            dn: cn=pharmacy,\(groups)
            changetype: modify
            add: member
            member: \(personDN("agarcia"))
            """)
        held.release()
        let status = TestSlapd.waitForExit(pid)

        #expect(status == 0, "\(TestSlapd.contents(site.dir + "/terminate.err"))")
        let output = TestSlapd.contents(site.dir + "/terminate.out")
        let preview = try #require(output.split(separator: "\n").first {
            $0.hasPrefix("  managed groups:")
        })
        #expect(preview.contains("cn=pharmacy,\(groups)"), "\(output)")
        #expect(try slapd.members(of: "pharmacy")?.contains(
            LDAPDN.normalize(personDN("agarcia"))) == false)
    }

    @Test func aLockWaitThatRunsOutStillDisables() throws {
        let (slapd, site) = try terminateFixture()
        try site.appendConfig("terminate:\n  lock_wait: 1s\n")
        let held = try HeldLock(site.lockPath)

        let output = try site.terminate(employee: "000101")

        expectStatus(output, 0)
        #expect(output.stdout.contains("the lock wait (1 s) ran out"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Night-shift-2026") == 49)
        let start = try #require(
            try site.auditRecords().last { $0["event"] as? String == "run-start" })
        #expect((start["detail"] as? String)?.contains("ran out") == true)
        held.release()
    }

    /// A plan made before the termination, applied after it: the enable and the grants it
    /// holds for the terminated people are skipped, and the termination fact survives.
    @Test func aPlanMadeBeforeATerminationNeitherEnablesNorGrants() throws {
        let (slapd, site) = try terminateFixture()
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        expectStatus(try site.run("sync"), 0)
        var rehired = nurse
        rehired.hire = "11/20/2026"
        var promoted = clerk
        promoted.jobCode = "EHR-SU"
        promoted.title = "EHR Superuser"
        try site.writeFeed([chief, rehired, pharmacist, promoted])

        // 1. Tonight's plan, made while nobody is terminated.
        let config = try ConfigLoader.load(path: site.configPath)
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        defer { connector.close() }
        let observed = try connector.observe()
        let feed = try CSVFeed(path: config.feed.path, layout: config.feed.layout).read()
        let run = SyncRun(
            config: config, instant: ISO8601DateFormatter().date(from: SyncFixture.runInstant)!,
            override: nil)
        let plan = run.plan(feed: feed, directory: observed)
        #expect(plan.changes.contains { $0.kind == .enable && $0.employeeID == "000101" })
        #expect(plan.changes.contains { $0.kind == .addToGroup && $0.employeeID == "000104" })

        // 2. Both are terminated on demand before it is applied.
        expectStatus(try site.terminate(employee: "000101"), 0)
        expectStatus(try site.terminate(employee: "000104"), 0)
        let audit = try AuditLog(
            path: site.auditPath, run: "nightly",
            actor: Actor(bindIdentity: config.directory.bindDN, osUser: "test", reason: nil))
        let result = try run.apply(plan, directory: observed, connector: connector, audit: audit)

        let theirs = result.outcomes.filter {
            ["000101", "000104"].contains($0.change.employeeID ?? "")
        }
        let grants = theirs.filter {
            [.enable, .addToGroup, .flagMFAEnrollment].contains($0.change.kind)
        }
        #expect(!grants.isEmpty)
        for outcome in grants {
            let change = "\(outcome.change.kind.rawValue) \(outcome.change.dn) "
                + "\(outcome.change.target ?? "")"
            #expect(outcome.skipped?.contains("terminated on demand on 2026-12-01") == true, "\(change)")
        }
        for login in ["agarcia", "jsmith"] {
            let entry = try slapd.person(uid: login)
            #expect(entry.values("pwdAccountLockedTime") == ["000001010000Z"], "\(login) unlocked")
            #expect(
                entry.first("idsyncState")?.contains("terminated=2026-12-01") == true,
                "\(login) lost the fact")
            #expect(
                entry.values("memberOf").isEmpty || login == "agarcia", "\(login) granted a group")
        }
        #expect(
            try slapd.members(of: "ehr-superusers")?.contains(LDAPDN.normalize(personDN("jsmith")))
                != true)
        let skipped = try site.changeRecords().filter {
            $0["run"] as? String == "nightly" && $0["result"] as? String == "skipped"
        }
        #expect(skipped.count >= grants.count)
        #expect(
            skipped.allSatisfy {
                ($0["detail"] as? String)?.contains("after this run's plan was made") == true
            })
        // Everyone else's changes still went through.
        let others = result.outcomes.filter {
            !["000101", "000104"].contains($0.change.employeeID ?? "")
        }
        #expect(others.allSatisfy { $0.succeeded })
    }
}

/// Polls `condition` every 50 ms for up to 20 s.
func waitFor(
    _ condition: () throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for _ in 0..<400 {
        if try condition() { return }
        usleep(50_000)
    }
    Issue.record("the condition never held", sourceLocation: sourceLocation)
}

import Foundation
import LDAP
import Testing

extension SyncFixture {
    /// Points `audit.path` of the config at `path`.
    func moveAuditLog(to path: String) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        let moved = text.replacingOccurrences(
            of: "audit:\n  path: \(auditPath)\n", with: "audit:\n  path: \(path)\n")
        #expect(moved != text, "the config has no audit path to replace")
        try moved.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Runs `idsync sync` in a private mount namespace (unshare, no privilege needed) where
    /// `folder` is a 64 KiB tmpfs that `prepare` (shell commands) readies first.
    /// The audit log is copied to `folder`.copy once idsync has exited, since the tmpfs goes
    /// with the namespace.
    func syncOnPrivateTmpfs(_ folder: String, prepare: String) throws -> ProcessOutput {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = "set -e; mount -t tmpfs -o size=64k idsync-audit \"$1\"; \(prepare); "
            + "shift; rc=0; \"$@\" || rc=$?; cp \"$0/audit.jsonl\" \"$0.copy\" 2>/dev/null || true; "
            + "exit $rc"
        return try TestSlapd.run(
            executable: "/usr/bin/unshare",
            arguments: [
                "--user", "--map-root-user", "--mount", "/bin/sh", "-c", script, folder, folder,
                SyncFixture.binary,
                "sync", "--config", configPath, "--at", SyncFixture.runInstant,
            ])
    }
}

/// A change with no audit record is never made: an audit log that cannot be written stops the
/// run before anything reaches the directory.
@Suite struct AuditDiskTests {
    /// /dev/null took every record and reported success: the audit trail vanished.
    @Test(arguments: ["/dev/null", "/dev/full"])
    func aDeviceAsTheAuditLogIsRefusedBeforeAnyWrite(device: String) throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        try site.moveAuditLog(to: device)
        let before = try slapd.dump()

        let output = try site.run("sync")

        expectStatus(output, 2)
        #expect(
            output.stderr.contains(
                "audit.path \(device) is a character device, not a regular file: idsync keeps "
                    + "its records only in a file of its own"), "\(output.stderr)")
        #expect(try slapd.dump() == before)
    }

    @Test func anAuditLogOnAFullFileSystemStopsTheRunBeforeAnyWrite() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let folder = site.dir + "/full"
        try site.moveAuditLog(to: folder + "/audit.jsonl")
        let before = try slapd.dump()

        // dd stops with "No space left on device" once the tmpfs is full; that is its aim.
        let output = try site.syncOnPrivateTmpfs(
            folder, prepare: "dd if=/dev/zero of=\"$1/fill\" bs=4k 2>/dev/null || true")

        expectStatus(output, 3)
        #expect(
            output.stderr.contains(
                "cannot write the audit log \(folder)/audit.jsonl (write: No space left on device)")
        )
        #expect(try slapd.dump() == before)
    }

    /// One 4 KiB page left: the run's first records fit, a batch of attempts does not. Whatever
    /// reached the directory has its attempt record on disk, and no account was created.
    @Test func anAuditLogThatFillsUpMidRunStopsBeforeTheNextWrite() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let folder = site.dir + "/page"
        try site.moveAuditLog(to: folder + "/audit.jsonl")
        let before = try slapd.dump()

        let output = try site.syncOnPrivateTmpfs(
            folder, prepare: "dd if=/dev/zero of=\"$1/fill\" bs=4k count=15 2>/dev/null")

        #expect(output.status == 1 || output.status == 3, "exit \(output.status): \(output.stderr)")
        #expect(output.stderr.contains("(write: No space left on device)"), "\(output.stderr)")
        #expect(try slapd.entries("(employeeNumber=*)").isEmpty, "no account was created")
        let lines = TestSlapd.contents(folder + ".copy").split(separator: "\n")
        let attempts = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["event"] as? String == "attempt" }.compactMap { $0["dn"] as? String }
        let created = try slapd.dump().filter { !before.contains($0) && $0.contains(" objectclass: ") }
            .map { String($0.prefix { $0 != " " }) }
        let normalizedAttempts = Set(attempts.compactMap { try? LDAPDN.normalize($0) })
        #expect(created.allSatisfy(normalizedAttempts.contains), "sent without an attempt: \(created)")
        if output.status == 3 {
            #expect(try slapd.dump() == before)
        } else {
            #expect(output.stderr.contains("directory writes; nothing more was sent"))
        }
    }

    @Test func anAuditLogOnAReadOnlyFileSystemStopsTheRunBeforeAnyWrite() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let folder = site.dir + "/readonly"
        try site.moveAuditLog(to: folder + "/audit.jsonl")
        let before = try slapd.dump()

        let output = try site.syncOnPrivateTmpfs(folder, prepare: "mount -o remount,ro \"$1\"")

        expectStatus(output, 3)
        #expect(
            output.stderr.contains(
                "cannot write the audit log \(folder)/audit.jsonl (open: Read-only file system)"))
        #expect(try slapd.dump() == before)
    }

    @Test func theSameSyncWithAWritableLogApplies() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let folder = site.dir + "/roomy"
        try site.moveAuditLog(to: folder + "/audit.jsonl")

        let output = try site.syncOnPrivateTmpfs(folder, prepare: "true")

        expectStatus(output, 0)
        #expect(try slapd.entries("(employeeNumber=*)").count == tenClerks.count)
    }
}

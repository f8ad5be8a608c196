import Foundation
import LDAP
import Testing

/// `idsync terminate` with a real privacyIDEA whose LDAP resolver reads the test's slapd.
@Suite(.serialized) struct TerminatePrivacyIDEATests {
    private func site(_ label: String) throws -> (TestSlapd, SyncFixture, PrivacyIDEAAdmin) {
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: label)
        let site = try SyncFixture(
            slapd: slapd, guards: SyncFixture.roomyGuards + "\n" + admin.connectorYAML())
        try site.writeFeed([chief, clerk])
        expectStatus(try site.run("sync"), 0)
        try slapd.setPassword("Front-desk-2026", for: personDN("jsmith"))
        return (slapd, site, admin)
    }

    @Test func afterTerminateThePersonsOTPFailsAndEveryStepIsAudited() throws {
        let (slapd, site, admin) = try site("terminate")
        try admin.enrollHOTP("jsmith", serial: "HOTPTERM1")
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(0)))
        try FileManager.default.removeItem(atPath: site.feedPath)

        let output = try site.terminate(employee: "000104", ["--ticket", "INC-77"])

        expectStatus(output, 0)
        #expect(output.stdout.contains("authenticators:  pi: HOTPTERM1 (hotp)"), "\(output.stdout)")
        #expect(output.stdout.contains("revoke what is left in pi"))
        #expect(try !admin.accepts(serial: "HOTPTERM1", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try admin.tokens(serial: "HOTPTERM1")?["revoked"] as? Bool == true)
        #expect(slapd.bindFailure(dn: personDN("jsmith"), password: "Front-desk-2026") == 49)
        #expect(
            try slapd.members(of: "all-staff")?.contains(LDAPDN.normalize(personDN("jsmith")))
                == false)
        let revoke = try #require(try site.records("revoke-authenticators").last)
        #expect(revoke["result"] as? String == "ok")
        #expect(revoke["target"] as? String == "pi")
        #expect(
            (revoke["before"] as? [String: [String]])?["authenticators"] == ["HOTPTERM1 (hotp)"])
        #expect(
            (revoke["after"] as? [String: [String]])?["authenticators"] == [
                "HOTPTERM1 (hotp, revoked)"
            ])
        #expect((revoke["actor"] as? [String: Any])?["ticket"] as? String == "INC-77")
        #expect(try site.records("record-revocation-complete").last?["result"] as? String == "ok")
        let state = try #require(try slapd.person(uid: "jsmith").first("idsyncState"))
        #expect(state.contains(";revoked") && state.contains("terminated="))
        #expect(!TestSlapd.contents(site.auditPath).contains(PrivacyIDEAAdmin.hotpKey))

        // The nightly agrees: nothing left for it to revoke, the person stays disabled.
        try site.writeFeed([chief, clerk])
        let plan = try site.run("plan")
        #expect(!plan.stdout.contains("revoke-authenticators"), "\(plan.stdout)")
        #expect(plan.stdout.contains("conflict: [000104]"))
    }

    @Test func mfaServerDownLeavesExit1WithTheDirectoryDoneAndARerunCompletes() throws {
        let (slapd, site, admin) = try site("terminate-down")
        try admin.enrollHOTP("jsmith", serial: "HOTPDOWN1")
        let good = try String(contentsOfFile: site.configPath, encoding: .utf8)
        let closed = "http://127.0.0.1:\(try TestSlapd.freePort())"
        try good.replacingOccurrences(of: admin.server.base, with: closed)
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)

        let failed = try site.terminate(employee: "000104")

        expectStatus(failed, 1)
        #expect(failed.stdout.contains("pi: could not be listed"), "\(failed.stdout)")
        #expect(failed.stdout.contains("FAILED revoke-authenticators pi"))
        #expect(failed.stdout.contains("left: revoke-authenticators pi"))
        #expect(slapd.bindFailure(dn: personDN("jsmith"), password: "Front-desk-2026") == 49)
        #expect(
            try slapd.members(of: "all-staff")?.contains(LDAPDN.normalize(personDN("jsmith")))
                == false)
        #expect(
            try admin.accepts(serial: "HOTPDOWN1", otp: PrivacyIDEAAdmin.hotp(0)),
            "the token still works")
        #expect(try !(slapd.person(uid: "jsmith").first("idsyncState") ?? "").contains(";revoked"))
        let end = try #require(try site.auditRecords().last)
        #expect(end["event"] as? String == "run-end" && end["result"] as? String == "partial")

        try good.write(toFile: site.configPath, atomically: true, encoding: .utf8)
        let rerun = try site.terminate(employee: "000104")

        expectStatus(rerun, 0)
        #expect(
            rerun.stdout.contains(
                "to do:             nothing in the directory (done already); "
                    + "revoke what is left in pi"
            ))
        #expect(rerun.stdout.contains("ok     revoke-authenticators pi"), "\(rerun.stdout)")
        #expect(try !admin.accepts(serial: "HOTPDOWN1", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try site.records("disable").map { $0["result"] as? String } == ["ok", "skipped"])
        #expect(try slapd.person(uid: "jsmith").first("idsyncState")?.contains(";revoked") == true)
    }
}

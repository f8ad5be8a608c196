import Foundation
import LDAP
import Testing

/// idsync with a real privacyIDEA (shared by the tests, a realm each) whose LDAP resolver
/// reads the test's slapd and hides locked accounts, as a site would set it up. One test at a
/// time: SQLite behind the server takes one writer at a time.
@Suite(.serialized) struct PrivacyIDEATests {
    /// The site and the privacyIDEA realm of one test; `label` keeps serials and names apart.
    func site(_ label: String,
                      extra: String = "") throws -> (TestSlapd, SyncFixture, PrivacyIDEAAdmin) {
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: label)
        let guards = SyncFixture.roomyGuards + "\n" + admin.connectorYAML() + extra
        let site = try SyncFixture(slapd: slapd, guards: guards)
        return (slapd, site, admin)
    }

    func state(_ slapd: TestSlapd, _ id: String) throws -> String {
        try slapd.person(employeeID: id).first("idsyncState") ?? ""
    }

    @Test func leaverTokensAreRevokedAndTheirOTPFails() throws {
        let (slapd, site, admin) = try site("leaver")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPLEAVER1")
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(0)))

        try site.writeFeed([clerk.terminated()])
        let plan = try site.run("plan")
        #expect(plan.stdout.contains("revoke-authenticators 000104 jsmith"), "\(plan.stdout)")
        #expect(plan.stdout.contains("HOTPLEAVER1 (hotp)"))
        let sync = try site.run("sync")

        expectStatus(sync, 0)
        #expect(try !admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try !admin.accepts(serial: "HOTPLEAVER1", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try admin.tokens(serial: "HOTPLEAVER1")?["revoked"] as? Bool == true)
        #expect(try state(slapd, "000104").contains(";revoked"))
        let record = try #require(try site.changeRecords().first { $0["action"] as? String == "revoke-authenticators" })
        #expect((record["before"] as? [String: [String]])?["authenticators"] == ["HOTPLEAVER1 (hotp)"])
        #expect((record["after"] as? [String: [String]])?["authenticators"] == ["HOTPLEAVER1 (hotp, revoked)"])
        #expect(!TestSlapd.contents(site.auditPath).contains(PrivacyIDEAAdmin.hotpKey))
        // Recorded complete: later runs no longer ask privacyIDEA about this leaver.
        let again = try site.run("plan")
        #expect(!again.stdout.contains("revoke-authenticators"), "\(again.stdout)")
    }

    /// A joiner's TOTP (a code computed here from the known key) works until the leaver run.
    @Test func joinerTOTPWorksUntilTheLeaverRun() throws {
        let (_, site, admin) = try site("totp")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollTOTP("jsmith", serial: "TOTPJOINER1")
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.totp()))

        try site.writeFeed([clerk.terminated()])
        expectStatus(try site.run("sync"), 0)

        // A step ahead: a code privacyIDEA has not seen yet, inside its window.
        #expect(try !admin.accepts(serial: "TOTPJOINER1", otp: PrivacyIDEAAdmin.totp(stepsAhead: 1)))
        #expect(try admin.tokens(serial: "TOTPJOINER1")?["revoked"] as? Bool == true)
    }

    @Test func leaverTokensAreUnassignedUnderThatPolicy() throws {
        let policy = "\n      leaver_authenticators: unassign"
        let (slapd, site, admin) = try site("unassign", extra: policy)
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPUNASSIGN1")
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(0)))
        #expect(try admin.tokens(serial: "HOTPUNASSIGN1")?["username"] as? String == "jsmith")

        try site.writeFeed([clerk.terminated()])
        let plan = try site.run("plan")
        #expect(plan.stdout.contains("unassign-authenticators 000104 jsmith"), "\(plan.stdout)")
        let sync = try site.run("sync")

        expectStatus(sync, 0)
        let token = try #require(try admin.tokens(serial: "HOTPUNASSIGN1"), "still there")
        #expect(token["username"] as? String == "", "\(token)")
        #expect(token["revoked"] as? Bool == false)
        #expect(try !admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try state(slapd, "000104").contains(";revoked"))
        let record = try #require(try site.changeRecords().first {
            $0["action"] as? String == "unassign-authenticators"
        })
        let before = (record["before"] as? [String: [String]])?["authenticators"]
        #expect(before == ["HOTPUNASSIGN1 (hotp)"])
        #expect((record["after"] as? [String: [String]])?["authenticators"] == [])
        let again = try site.run("plan")
        #expect(!again.stdout.contains("unassign-authenticators"), "\(again.stdout)")
    }

    /// A mover into a privileged role with only a TOTP token waits; the passkey is enrolled for
    /// real by a software FIDO2 authenticator (scripts/soft-passkey.py).
    @Test func privilegedGrantWaitsForAPasskey() throws {
        let (slapd, site, admin) = try site("privileged")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollTOTP("jsmith", serial: "TOTPPRIV1")
        var superuser = clerk
        superuser.jobCode = "EHR-SU"
        superuser.title = "EHR Superuser"
        try site.writeFeed([superuser])
        let dn = try LDAPDN.normalize(personDN("jsmith"))

        let held = try site.run("sync")

        expectStatus(held, 0)
        #expect(try slapd.members(of: "ehr-superusers")?.contains(dn) != true)
        #expect(try slapd.members(of: "ehr-users")?.contains(dn) != true)
        #expect(held.stdout.contains("held: [000104] the grant of ehr-superusers waits"), "\(held.stdout)")
        #expect(held.stdout.contains("TOTPPRIV1 (totp)"))

        let passkey = try admin.enrollPasskey("jsmith")
        #expect(try admin.tokens(serial: passkey)?["rollout_state"] as? String == "enrolled")
        let granted = try site.run("sync")

        expectStatus(granted, 0)
        #expect(try slapd.members(of: "ehr-superusers")?.contains(dn) == true, "\(granted.stdout)")
        #expect(try slapd.members(of: "ehr-users")?.contains(dn) == true)
    }

    @Test func enrollmentFlagIsClearedOnceAFactorIsRegistered() throws {
        let (slapd, site, admin) = try site("enroll")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        let dn = try LDAPDN.normalize(personDN("jsmith"))
        #expect(try slapd.members(of: "mfa-enroll")?.contains(dn) == true)
        expectStatus(try site.run("sync"), 0)
        #expect(try slapd.members(of: "mfa-enroll")?.contains(dn) == true, "not enrolled yet: the flag stays")

        try admin.enrollHOTP("jsmith", serial: "HOTPENROLL1")
        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(try slapd.members(of: "mfa-enroll")?.contains(dn) != true, "\(output.stdout)")
        #expect(try !state(slapd, "000104").contains(";enroll"))
    }

    @Test func connectorErrorFailsTheRevocationAndTheNextRunRetries() throws {
        let (slapd, site, admin) = try site("error")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPERROR1")
        let good = try String(contentsOfFile: site.configPath, encoding: .utf8)
        let wrong = slapd.dir + "/wrong-admin.pw"
        _ = FileManager.default.createFile(atPath: wrong, contents: Data("not-the-password\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        try good.replacingOccurrences(of: admin.server.passwordFile, with: wrong)
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        try site.writeFeed([clerk.terminated()])

        let failed = try site.run("sync")

        expectStatus(failed, 1)
        #expect(try !slapd.person(employeeID: "000104").values("pwdAccountLockedTime").isEmpty)
        #expect(try !state(slapd, "000104").contains(";revoked"))
        #expect(failed.stdout.contains("FAILED revoke-authenticators 000104 jsmith"), "\(failed.stdout)")

        // The resolver hides the locked leaver: without the user id, unknown is not "no tokens".
        try good.replacingOccurrences(of: "      user_id: login\n", with: "")
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        let unknown = try site.run("sync")
        expectStatus(unknown, 1)
        #expect(unknown.stdout.contains("does not know jsmith"), "\(unknown.stdout)")
        #expect(try admin.accepts(serial: "HOTPERROR1", otp: PrivacyIDEAAdmin.hotp(0)), "the token is still active")

        try good.write(toFile: site.configPath, atomically: true, encoding: .utf8)
        let retried = try site.run("sync")

        expectStatus(retried, 0)
        #expect(try !admin.accepts(serial: "HOTPERROR1", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try state(slapd, "000104").contains(";revoked"))
    }
}

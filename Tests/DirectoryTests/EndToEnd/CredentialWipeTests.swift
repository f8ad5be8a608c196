import Foundation
import LDAP
import Testing

/// A self-signed certificate (CN=t1), DER in base64: slapd checks userCertificate's syntax.
let testCertificate = [
    "MIIB9jCCAV+gAwIBAgIUK1RaDOHeJMI/9lShU2qY5YUkRlMwDQYJKoZIhvcNAQELBQAwDTELMAkGA1UEAwwC",
    "dDEwHhcNMjYxMjA0MTcyMzAwWhcNMjYxMjA2MTcyMzAwWjANMQswCQYDVQQDDAJ0MTCBnzANBgkqhkiG9w0B",
    "AQEFAAOBjQAwgYkCgYEAoi67wYhWgw9nxmmXF19gCBmvpX2Owjy99NOkXpcnek+9mdRfZFLx9f0wR8WlfxWK",
    "lXGPgLBmoC7P6PvQrEgJUxb6gfBeEJeFWoQ3ZdbjHsUTD5/kmygOFPyTTyifOnuBjBS5DhFCLq9GbhoBVOSm",
    "6ZFVC0VXPooMCuiXa5NuYgcCAwEAAaNTMFEwHQYDVR0OBBYEFDA60h+q7EJKfziifiE9lTLuHdAuMB8GA1Ud",
    "IwQYMBaAFDA60h+q7EJKfziifiE9lTLuHdAuMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADgYEA",
    "B3i0x9var062vcDkILSN+e6YBev2NvmaaPlJo+5qpCjXab+qz+xn384SrzJu1s6Mhtrttqmf2OJrfmJbdyN2",
    "jeXkwRyN1+RiGDsDSTbewADHGumRORtVyHQaWryQHKUXiOd/ce+2o/IzqWnl7iXLoUGQ0Q/PimVZ7xkgJBKn",
    "Hxs=",
].joined()

/// `disable.credentials` on the tests' slapd. Debian's slapd ships neither the openssh-lpk
/// nor the Samba schema, so sshPublicKey and sambaNTPassword (configured by default) do not
/// exist there: the tests show they are harmless, and take userPassword, userCertificate
/// and userPKCS12 (listed), which inetOrgPerson has.
@Suite struct CredentialWipeTests {
    let password = "Ward-7-night-2026"
    let bundle = "cGtjczEyLWJ1bmRsZS1zdGFuZC1pbg=="

    func site(_ slapd: TestSlapd) throws -> SyncFixture {
        try SyncFixture(
            slapd: slapd,
            guards: SyncFixture.roomyGuards + "\ndisable:\n  credentials: [userPKCS12]\n")
    }

    /// Ana with a password, a certificate and a PKCS#12 bundle, as a hand-kept directory has.
    func giveCredentials(_ slapd: TestSlapd) throws {
        try slapd.setPassword(password, for: personDN("agarcia"))
        try slapd.modifyLDIF(
            """
            dn: \(personDN("agarcia"))
            changetype: modify
            add: userCertificate;binary
            userCertificate;binary:: \(testCertificate)
            -
            add: userPKCS12
            userPKCS12:: \(bundle)
            """)
    }

    /// The attributes no disable may touch: all but the credentials, the lock, idsync's
    /// state and what slapd keeps itself.
    func untouched(_ entry: LDAPEntry) -> [String: [String]] {
        let changing: Set<String> = [
            "userpassword", "usercertificate;binary", "userpkcs12", "idsyncstate",
            "pwdaccountlockedtime", "memberof",
        ]
        return entry.attributes.filter { !changing.contains($0.key) }
    }

    @Test func leaverLosesEveryCredentialAndNothingElse() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try giveCredentials(slapd)
        let before = try slapd.person(uid: "agarcia")
        #expect(
            before.values("userCertificate;binary").count == 1
                && before.values("userPKCS12").count == 1)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: password) == nil)

        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(
            output.stdout.contains(
                "credentials removed: userPassword (replaced with an unusable value), "
                    + "userCertificate;binary, userPKCS12"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: password) == 49)
        let after = try slapd.person(uid: "agarcia")
        #expect(after.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(after.values("userPassword").count == 1)
        #expect(after.first("userPassword")?.hasPrefix("{CRYPT}!") == true)
        #expect(after.values("userCertificate;binary").isEmpty)
        #expect(after.values("userPKCS12").isEmpty)
        #expect(untouched(after) == untouched(before))

        let disable = try #require(
            try site.changeRecords().first { $0["action"] as? String == "disable" })
        #expect((disable["detail"] as? String)?.contains("userPKCS12") == true)
        let attempt = try site.auditRecords().first {
            $0["event"] as? String == "attempt" && $0["action"] as? String == "disable"
        }
        #expect((attempt?["detail"] as? String)?.contains("userCertificate;binary") == true)
        let audit = TestSlapd.contents(site.auditPath)
        for value in [
            password, bundle, String(testCertificate.prefix(40)),
            after.first("userPassword") ?? "?",
        ] {
            #expect(
                !audit.contains(value) && !output.stdout.contains(value),
                "a credential value was written")
        }
        #expect(plannedChanges(try site.run("plan").stdout) == 0)

        // The lock is not all that stands: without it the old password still fails.
        try slapd.modifyLDIF(
            "dn: \(personDN("agarcia"))\nchangetype: modify\ndelete: pwdAccountLockedTime\n")
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: password) == 49)
    }

    @Test func credentialAddedToADisabledLeaverIsTakenAndTheLockStays() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        expectStatus(try site.run("sync"), 0)
        try slapd.modifyLDIF(
            """
            dn: \(personDN("agarcia"))
            changetype: modify
            add: userPKCS12
            userPKCS12:: \(bundle)
            """)

        let output = try site.run("sync")

        expectStatus(output, 0)
        let after = try slapd.person(uid: "agarcia")
        #expect(after.values("userPKCS12").isEmpty)
        #expect(after.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    @Test func rehireGetsNoOldCredentialBack() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try giveCredentials(slapd)
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        expectStatus(try site.run("sync"), 0)

        var rehired = nurse
        rehired.hire = "11/20/2026"
        try site.writeFeed([chief, rehired, pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime").isEmpty)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: password) == 49)
        #expect(ana.first("userPassword")?.hasPrefix("{CRYPT}!") == true)
        #expect(ana.values("userCertificate;binary").isEmpty && ana.values("userPKCS12").isEmpty)
        #expect(ana.first("idsyncState")?.contains("wiped") == false)
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    /// An ACL that keeps idsync from one credential fails the whole modify; the lock is
    /// then sent alone, so the leaver still cannot bind, and the run says what is left.
    @Test func leaverIsLockedEvenWhereACredentialCannotBeTaken() throws {
        let slapd = try TestSlapd()
        let site = try site(slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try giveCredentials(slapd)
        try denyServiceWrite(to: "userPKCS12", on: slapd)

        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains("FAILED disable 000101"))
        #expect(output.stdout.contains("locked, but the credentials were not taken"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: password) == 49)
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(ana.values("userPKCS12").count == 1)
    }

    /// Puts an ACL before the others: idsync may read `attribute` but not change it.
    func denyServiceWrite(to attribute: String, on slapd: TestSlapd) throws {
        let file = "\(slapd.dir)/acl-\(UUID().uuidString).ldif"
        try """
        dn: olcDatabase={1}mdb,cn=config
        changetype: modify
        add: olcAccess
        olcAccess: {0}to attrs=\(attribute) by dn.exact="\(slapd.serviceDN)" read by * read

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let status = try TestSlapd.run(
            "/usr/bin/ldapmodify",
            [
                "-x", "-H", slapd.url, "-D", "cn=admin,cn=config", "-y",
                "\(slapd.dir)/admin.pw", "-f", file,
            ], output: "\(slapd.dir)/acl.out")
        #expect(status == 0, "\(TestSlapd.contents("\(slapd.dir)/acl.out"))")
    }
}

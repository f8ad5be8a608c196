import Foundation
import LDAP
import Testing

/// Lifecycle steps beyond joiner and leaver on a real privacyIDEA: fail counters reset when a
/// lock idsync made ends, users created for joiners, the lapsed-enrollment lock.
@Suite(.serialized) struct PrivacyIDEALifecycleTests {
    private func site(_ label: String, policy: String? = nil,
                      extra: String = "") throws -> (TestSlapd, SyncFixture, PrivacyIDEAAdmin) {
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: label)
        let site = try SyncFixture(slapd: slapd, guards: SyncFixture.roomyGuards + "\n" + admin.connectorYAML() + extra)
        if let policy {
            let config = try String(contentsOfFile: site.configPath, encoding: .utf8)
            try config.replacingOccurrences(of: "  leave_of_absence: keep\n", with: "  \(policy)\n")
                .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        }
        return (slapd, site, admin)
    }

    @Test func failCountersRunUpDuringALeaveAreResetOnReturn() throws {
        let (slapd, site, admin) = try site("failcount", policy: "leave_of_absence: disable")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPLEAVE1")
        try admin.setMaxFail("HOTPLEAVE1", 3)
        var away = clerk
        away.status = "Leave of Absence"
        try site.writeFeed([away])
        expectStatus(try site.run("sync"), 0)
        #expect(try !slapd.person(employeeID: "000104").values("pwdAccountLockedTime").isEmpty)

        // While away, three wrong codes lock the token: even the right one is refused now.
        for _ in 0..<3 { #expect(try !admin.accepts(serial: "HOTPLEAVE1", otp: "000000")) }
        #expect(try admin.tokens(serial: "HOTPLEAVE1")?["failcount"] as? Int == 3)
        #expect(try !admin.accepts(serial: "HOTPLEAVE1", otp: PrivacyIDEAAdmin.hotp(0)))

        try site.writeFeed([clerk])
        let back = try site.run("sync")

        expectStatus(back, 0)
        #expect(back.stdout.contains("reset-mfa-failcounters 000104 jsmith"), "\(back.stdout)")
        #expect(try admin.tokens(serial: "HOTPLEAVE1")?["failcount"] as? Int == 0)
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(1)))
        let record = try #require(try site.changeRecords().first {
            $0["action"] as? String == "reset-mfa-failcounters"
        })
        #expect((record["after"] as? [String: [String]])?["authenticators"] == ["HOTPLEAVE1 (hotp)"], "\(record)")
        let again = try site.run("plan")
        #expect(!again.stdout.contains("reset-mfa-failcounters"), "\(again.stdout)")
    }

    /// A rehire enrolls anew: the leaver's revoked token stays revoked, and no reset is planned.
    @Test func rehireGetsNoResetAndTheOldTokenStaysRevoked() throws {
        let (_, site, admin) = try site("rehire")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPREHIRE1")
        try site.writeFeed([clerk.terminated()])
        expectStatus(try site.run("sync"), 0)
        var rehired = clerk
        rehired.hire = "11/20/2026"
        try site.writeFeed([rehired])

        let back = try site.run("sync")

        expectStatus(back, 0)
        #expect(!back.stdout.contains("reset-mfa-failcounters"), "\(back.stdout)")
        #expect(try admin.tokens(serial: "HOTPREHIRE1")?["revoked"] as? Bool == true)
        #expect(try !admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(1)))
    }

    /// `create_users` with an editable SQL resolver: a joiner is created once; one the help
    /// desk created already is not created again, and a rerun plans nothing.
    @Test func joinersAreCreatedInTheEditableResolverOnce() throws {
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: "create")
        let sql = try admin.addSQLRealm(in: slapd.dir)
        let connector = admin.connectorYAML(userID: false)
            .replacingOccurrences(of: "realm: \(admin.realm)", with: "realm: \(sql.realm)")
            .replacingOccurrences(of: "resolver: \(admin.resolver)", with: "resolver: \(sql.resolver)")
        let site = try SyncFixture(slapd: slapd, guards: SyncFixture.roomyGuards + "\n" + connector
                                       + "\n      create_users: true")
        try admin.addUser("agarcia", resolver: sql.resolver, realm: sql.realm)
        try site.writeFeed([clerk, nurse])

        let plan = try site.run("plan")
        let sync = try site.run("sync")

        #expect(plan.stdout.contains("ensure-mfa-user 000104 jsmith"), "\(plan.stdout)")
        #expect(plan.stdout.contains("ensure-mfa-user 000101 agarcia"))
        expectStatus(sync, 0)
        let created = try admin.users("jsmith", realm: sql.realm)
        #expect(created.count == 1, "\(created)")
        #expect(created.first?["givenname"] as? String == "John")
        #expect(created.first?["surname"] as? String == "Smith")
        #expect(created.first?["email"] as? String == "jsmith@example.org")
        #expect(try admin.users("agarcia", realm: sql.realm).first?["surname"] as? String == "Made",
                "the help desk's user is left as it was")
        let rows = try TestSlapd.run(executable: "/usr/bin/sqlite3",
                                     arguments: [sql.database, "SELECT username FROM users ORDER BY username;"])
        #expect(rows.stdout.split(separator: "\n") == ["agarcia", "jsmith"])

        let again = try site.run("sync")

        expectStatus(again, 0)
        #expect(!again.stdout.contains("ensure-mfa-user"), "\(again.stdout)")
        try admin.enrollHOTP("jsmith", serial: "HOTPSQL1", realm: sql.realm)
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(0), realm: sql.realm))
    }

    /// `lapsed_enrollment: lock` end to end: the joiner who did not enroll in the window is
    /// locked (a bind fails); once IT unlocks the account the window starts again; the joiner who
    /// enrolled in time is not locked and their enrollment flag is cleared.
    @Test func lapsedEnrollmentLocksUntilITUnlocks() throws {
        let policy = "mfa:\n  enrollment_days: 14\n  lapsed_enrollment: lock\n"
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: "lapsed")
        let site = try SyncFixture(slapd: slapd, guards: SyncFixture.roomyGuards + "\n"
                                       + admin.connectorYAML().replacingOccurrences(of: "mfa:\n", with: policy))
        try site.writeFeed([clerk, nurse])
        expectStatus(try site.run("sync", at: "2026-12-01T17:00:00Z"), 0)
        let john = try slapd.person(employeeID: "000104").dn
        let ana = try slapd.person(employeeID: "000101").dn
        try slapd.setPassword("John-Pass-1", for: john)
        try slapd.setPassword("Ana-Pass-1", for: ana)
        try admin.enrollHOTP("agarcia", serial: "HOTPLAPSE1")
        expectStatus(try site.run("sync", at: "2026-12-02T17:00:00Z"), 0)
        #expect(try slapd.members(of: "mfa-enroll")?.contains(LDAPDN.normalize(ana)) != true)
        #expect(try slapd.person(employeeID: "000101").first("idsyncState")?.contains(";enroll") == false)

        let lapsed = try site.run("sync", at: "2026-12-16T17:00:00Z")

        expectStatus(lapsed, 0)
        #expect(lapsed.stdout.contains("enrollment-overdue"), "\(lapsed.stdout)")
        #expect(slapd.bindFailure(dn: john, password: "John-Pass-1") != nil, "locked: the bind fails")
        #expect(slapd.bindFailure(dn: ana, password: "Ana-Pass-1") == nil, "enrolled in time: not locked")
        #expect(try slapd.person(employeeID: "000104").first("idsyncState")?.contains("enrollment-lapsed") == true)
        let stillLocked = try site.run("sync", at: "2026-12-17T17:00:00Z")
        #expect(stillLocked.stdout.contains("IT re-opens enrollment by unlocking"), "\(stillLocked.stdout)")
        #expect(slapd.bindFailure(dn: john, password: "John-Pass-1") != nil)

        // IT re-opens enrollment: it unlocks the account, as the README says.
        try slapd.modifyLDIF("dn: \(john)\nchangetype: modify\ndelete: pwdAccountLockedTime\n")
        let reopened = try site.run("sync", at: "2026-12-18T17:00:00Z")

        expectStatus(reopened, 0)
        #expect(reopened.stdout.contains("reset-mfa-failcounters 000104 jsmith"), "\(reopened.stdout)")
        let state = try slapd.person(employeeID: "000104").first("idsyncState") ?? ""
        #expect(state.contains("created-on=2026-12-18") && state.contains(";enroll"), "\(state)")
        #expect(try slapd.members(of: "mfa-enroll")?.contains(LDAPDN.normalize(john)) == true)
        expectStatus(try site.run("sync", at: "2026-12-30T17:00:00Z"), 0)
        #expect(slapd.bindFailure(dn: john, password: "John-Pass-1") == nil, "inside the new window")
        expectStatus(try site.run("sync", at: "2027-01-02T17:00:00Z"), 0)
        #expect(slapd.bindFailure(dn: john, password: "John-Pass-1") != nil, "the new window closed too")
    }
}

import Foundation
import Testing

/// Without directory.password_policy every disable fails at sync. A site that plans for a
/// week before its first sync, as README says, learns it from `validate` and from each plan
/// that holds a disable, not from its first night.
@Suite struct PasswordPolicyNoticeTests {
    /// The fixture's site with the password_policy line taken out.
    static func siteWithoutPolicy(_ slapd: TestSlapd) throws -> SyncFixture {
        let site = try SyncFixture(slapd: slapd)
        let text = try String(contentsOfFile: site.configPath, encoding: .utf8)
        let line = "  password_policy: cn=default,ou=policies,dc=example,dc=org\n"
        #expect(text.contains(line))
        try text.replacingOccurrences(of: line, with: "")
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        return site
    }

    @Test func validateSaysThatDisablesWillFail() throws {
        let slapd = try TestSlapd()
        let site = try Self.siteWithoutPolicy(slapd)
        try site.writeFeed(smallHospital)

        let output = try site.run("validate")

        expectStatus(output, 2)
        #expect(output.stderr.contains("\(site.configPath): directory.password_policy is not set"),
                "\(output.stderr)")
        #expect(output.stderr.contains("every disable"), "\(output.stderr)")
    }

    @Test func aPlanWithADisableShowsItWillFailAndExitsOne() throws {
        let slapd = try TestSlapd()
        let site = try Self.siteWithoutPolicy(slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)

        let quiet = try site.run("plan")
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        let leaver = try site.run("plan")
        let json = try site.run("plan", ["--format", "json"])

        expectStatus(quiet, 0)
        #expect(!quiet.stdout.contains("disable-unconfirmed"))
        expectStatus(leaver, 1)
        #expect(leaver.stdout.contains("disable-unconfirmed: directory.password_policy is not "
            + "set, so idsync cannot confirm that a ppolicy lock stops binds: 1 disables and 0 "
            + "accounts created disabled in this plan will fail at sync"), "\(leaver.stdout)")
        expectStatus(json, 1)
        #expect(json.stdout.contains("\"kind\" : \"disable-unconfirmed\""), "\(json.stdout)")

        // What the plan said is what the sync does.
        let sync = try site.run("sync")
        expectStatus(sync, 1)
        #expect(try slapd.person(uid: "agarcia").values("pwdAccountLockedTime").isEmpty)
    }
}

import Foundation
import LDAP
import Testing

/// The ACL README's "The service identity" ships: loaded into a slapd, a sync as idsync works
/// and a write anywhere else is refused.
@Suite struct ServiceACLTests {
    /// The ```ldif block of README that replaces olcAccess.
    static func readmeACL(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let readme = try String(
            contentsOfFile: SyncFixture.packageRoot + "/README.md", encoding: .utf8)
        let blocks = readme.components(separatedBy: "```ldif\n").dropFirst().map {
            $0.components(separatedBy: "```")[0]
        }
        return try #require(
            blocks.first { $0.contains("replace: olcAccess") }, "README has no olcAccess block",
            sourceLocation: sourceLocation)
    }

    /// Applies `ldif` to cn=config as its rootdn (the same password as the database's).
    func configure(_ slapd: TestSlapd, _ ldif: String) throws {
        let file = "\(slapd.dir)/acl-\(UUID().uuidString).ldif"
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        let status = try TestSlapd.run(
            "/usr/bin/ldapmodify",
            [
                "-x", "-H", slapd.url, "-D", "cn=admin,cn=config",
                "-y", "\(slapd.dir)/admin.pw", "-f", file,
            ],
            output: "\(slapd.dir)/acl.out")
        #expect(status == 0, "ldapmodify: \(TestSlapd.contents("\(slapd.dir)/acl.out"))")
    }

    /// The LDAP result code of one write as idsync's identity; nil when it succeeded.
    func refusal(_ slapd: TestSlapd, _ request: LDAPRequest) throws -> Int32? {
        do {
            try slapd.connection(dn: slapd.serviceDN, password: slapd.servicePassword).perform(
                request)
            return nil
        } catch let error as LDAPError {
            return error.code
        }
    }

    @Test func theReadmeACLLetsASyncWorkAndRefusesWritesElsewhere() throws {
        let slapd = try TestSlapd()
        // The credential wipe writes userPassword: the ACL must allow that in the people subtree.
        let site = try SyncFixture(
            slapd: slapd,
            guards: SyncFixture.roomyGuards
                + "\ndisable:\n  credentials: [defaults]\n")
        try configure(slapd, try Self.readmeACL())
        try site.writeFeed(tenClerks)

        expectStatus(try site.run("sync"), 0)
        let leaver = try slapd.person(employeeID: tenClerks[9].id).dn
        try slapd.setPassword("a-password-to-wipe", for: leaver)
        try site.writeFeed(Array(tenClerks.dropLast()) + [tenClerks[9].terminated()])
        expectStatus(try site.run("sync"), 0)

        #expect(try slapd.entries("(employeeNumber=*)").count == 10)
        let after = try slapd.person(employeeID: tenClerks[9].id)
        #expect(after.first("pwdAccountLockedTime") == "000001010000Z")
        #expect(after.first("userPassword")?.hasPrefix("{CRYPT}!") == true)
        let services = "ou=services,dc=example,dc=org"
        #expect(
            try refusal(
                slapd,
                .modify(
                    dn: slapd.readerDN,
                    modifications: [
                        Modification(.replace, "description", ["changed by idsync"])
                    ])) == 50)
        #expect(
            try refusal(
                slapd,
                .modify(
                    dn: slapd.readerDN,
                    modifications: [
                        Modification(.replace, "userPassword", ["not-a-password"])
                    ])) == 50)
        #expect(
            try refusal(
                slapd,
                .add(
                    dn: "cn=intruder,\(services)",
                    attributes: [
                        ("objectClass", ["organizationalRole"]), ("cn", ["intruder"]),
                    ])) == 50)
        #expect(
            try refusal(
                slapd,
                .modify(
                    dn: "cn=default,ou=policies,dc=example,dc=org",
                    modifications: [
                        Modification(.replace, "pwdLockout", ["FALSE"])
                    ])) == 50)
        #expect(
            try refusal(
                slapd,
                .modify(
                    dn: "ou=people,dc=example,dc=org",
                    modifications: [
                        Modification(.replace, "description", ["inside the people subtree"])
                    ])) == nil)
    }
}

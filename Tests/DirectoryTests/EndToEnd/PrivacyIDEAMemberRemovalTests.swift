import Foundation
import LDAP
import Testing

/// `mfa.noncompliant_members.remove_from` against the real privacyIDEA: in the suite of the
/// other privacyIDEA tests, so that it too runs one at a time.
extension PrivacyIDEATests {
    /// Two EHR superusers granted under `privileged_grants: grant`: John Smith with only an
    /// HOTP token, Ada Lovelace with a certificate token. Reported before the date; from it
    /// John leaves the groups only a phishing-resistant rule grants him, Ada stays, and John
    /// is granted them again once he has a certificate token too.
    @Test func memberWithOnlyAnOTPIsRemovedFromThePolicyDate() throws {
        let (slapd, site, admin) = try site("members")
        var john = clerk
        john.jobCode = "EHR-SU"
        var ada = HRRow(id: "000120", first: "Ada", last: "Lovelace", manager: "000110")
        ada.jobCode = "EHR-SU"
        let config = try String(contentsOfFile: site.configPath, encoding: .utf8)
        func policy(_ line: String) throws {
            let mfa = "mfa:\n  privileged_grants: grant\n" + line
            try config.replacingOccurrences(of: "mfa:\n", with: mfa)
                .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        }
        try policy("")
        try site.writeFeed([john, ada])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPMEMBER1")
        try admin.enrollCertificate("alovelace", serial: "CERTMEMBER1",
                                    pem: try selfSignedCertificate("alovelace", in: slapd.dir))
        let johnDN = try LDAPDN.normalize(personDN("jsmith"))
        let adaDN = try LDAPDN.normalize(personDN("alovelace"))
        #expect(try slapd.members(of: "ehr-superusers")?.isSuperset(of: [johnDN, adaDN]) == true)

        // The runs are on 2026-12-01 in New York: a date the day after, then that day itself.
        try policy("  noncompliant_members:\n    remove_from: 2026-12-02\n")
        let before = try site.run("sync")

        expectStatus(before, 0)
        let reported = "non-compliant: [000104] member of ehr-superusers, ehr-users without"
        #expect(before.stdout.contains(reported), "\(before.stdout)")
        #expect(before.stdout.contains("HOTPMEMBER1 (hotp); removed on 2026-12-02 under "
                                       + "mfa.noncompliant_members.remove_from 2026-12-02"))
        #expect(!before.stdout.contains("[000120] member of"))
        #expect(try slapd.members(of: "ehr-superusers")?.contains(johnDN) == true)

        try policy("  noncompliant_members:\n    remove_from: 2026-12-01\n")
        let removed = try site.run("sync")

        expectStatus(removed, 0)
        let superusers = try #require(try slapd.members(of: "ehr-superusers"))
        #expect(!superusers.contains(johnDN), "\(removed.stdout)")
        #expect(superusers.contains(adaDN))
        #expect(try slapd.members(of: "ehr-users")?.contains(johnDN) != true)
        #expect(try slapd.members(of: "all-staff")?.contains(johnDN) == true)
        #expect(removed.stdout.contains("why: mfa-noncompliant-members: "
                                        + "mfa.noncompliant_members.remove_from 2026-12-01"))
        let records = try site.changeRecords().filter { record in
            record["action"] as? String == "remove-from-group"
                && (record["reason"] as? String)?.contains("mfa.noncompliant_members") == true
        }
        #expect(records.map { $0["employeeID"] as? String } == ["000104", "000104"], "\(records)")

        // Waiting now, through the hold path; granted again with a certificate token.
        let waiting = try site.run("plan")
        #expect(waiting.stdout.contains("held: [000104] the grant of ehr-superusers waits"),
                "\(waiting.stdout)")
        try admin.enrollCertificate("jsmith", serial: "CERTMEMBER2",
                                    pem: try selfSignedCertificate("jsmith", in: slapd.dir))
        let granted = try site.run("sync")

        expectStatus(granted, 0)
        #expect(try slapd.members(of: "ehr-superusers")?.contains(johnDN) == true,
                "\(granted.stdout)")
        #expect(try slapd.members(of: "ehr-users")?.contains(johnDN) == true)
    }
}

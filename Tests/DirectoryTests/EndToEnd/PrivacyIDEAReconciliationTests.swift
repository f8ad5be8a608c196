import Foundation
import LDAP
import Testing

/// Bulk reconciliation on a real privacyIDEA: every run lists the realm's active tokens in
/// pages and revokes any that belong to an account idsync disabled, even one whose revocation
/// was recorded complete long ago.
@Suite(.serialized) struct PrivacyIDEAReconciliationTests {
    /// A site where the help desk can still see locked accounts in privacyIDEA, the case
    /// reconciliation is for, with pages of two tokens so that paging is exercised.
    private func site(_ label: String) throws -> (TestSlapd, SyncFixture, PrivacyIDEAAdmin) {
        let slapd = try TestSlapd()
        let admin = try PrivacyIDEAAdmin(slapd: slapd, label: label, showsLocked: true)
        let guards = SyncFixture.roomyGuards + "\n" + admin.connectorYAML() + "\n      bulk_page_size: 2"
        let site = try SyncFixture(slapd: slapd, guards: guards)
        return (slapd, site, admin)
    }

    @Test func tokenAssignedToASettledLeaverIsRevokedByTheNextRun() throws {
        let (slapd, site, admin) = try site("bulk")
        try site.writeFeed([clerk, nurse])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPBULK1")
        for number in 1...3 { try admin.enrollTOTP("agarcia", serial: "TOTPBULK\(number)") }
        try site.writeFeed([clerk.terminated(), nurse])
        expectStatus(try site.run("sync"), 0)
        #expect(try slapd.person(employeeID: "000104").first("idsyncState")?.contains(";revoked") == true)

        // Behind idsync's back, the help desk gives the leaver a new token, and it works.
        try admin.enrollHOTP("jsmith", serial: "HOTPBULK2")
        #expect(try admin.accepts(serial: "HOTPBULK2", otp: PrivacyIDEAAdmin.hotp(0)))
        let listed = try admin.bulkListingCalls()
        let plan = try site.run("plan")

        #expect(plan.stdout.contains("revoke-authenticators 000104 jsmith"), "\(plan.stdout)")
        #expect(plan.stdout.contains("HOTPBULK2 (hotp)"))
        #expect(!plan.stdout.contains("HOTPBULK1"), "revoked already: not listed as usable")
        #expect(!plan.stdout.contains("agarcia"), "the nurse's tokens are nobody's business here")
        // Four active tokens in pages of two: two listing calls, however many leavers there are.
        #expect(try admin.bulkListingCalls() - listed == 2)

        let sync = try site.run("sync")

        expectStatus(sync, 0)
        #expect(try !admin.accepts(serial: "HOTPBULK2", otp: PrivacyIDEAAdmin.hotp(1)))
        #expect(try admin.tokens(serial: "HOTPBULK2")?["revoked"] as? Bool == true)
        #expect(try admin.tokens(serial: "TOTPBULK1")?["active"] as? Bool == true)
        let record = try #require(try site.changeRecords().last {
            $0["action"] as? String == "revoke-authenticators"
        })
        #expect((record["before"] as? [String: [String]])?["authenticators"] == ["HOTPBULK2 (hotp)"])
        #expect((record["after"] as? [String: [String]])?["authenticators"]
              == ["HOTPBULK1 (hotp, revoked)", "HOTPBULK2 (hotp, revoked)"])
        #expect("\(record)".contains("mfa-reconciliation"), "\(record)")
        let again = try site.run("plan")
        #expect(!again.stdout.contains("revoke-authenticators"), "\(again.stdout)")
    }
}

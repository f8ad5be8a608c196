import Foundation
import LDAP
import Testing

/// A mover's re-verification against the real privacyIDEA's audit log: in the suite of the
/// other privacyIDEA tests, so that it too runs one at a time.
extension PrivacyIDEATests {
    /// John Smith moves from Admissions to Pharmacy (pharmacy and ehr-users: access grows).
    /// An OTP accepted before the move, and a wrong OTP after it, leave him in mfa-reverify;
    /// an OTP accepted after it takes him out and clears the fact.
    @Test func reverificationEndsWithAnOTPAcceptedAfterTheDemand() throws {
        let (slapd, site, admin) = try site("reverify")
        try site.writeFeed([clerk])
        expectStatus(try site.run("sync"), 0)
        try admin.enrollHOTP("jsmith", serial: "HOTPREVERIFY1")
        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(0)),
                "a sign-in before the move")
        let dn = try LDAPDN.normalize(personDN("jsmith"))
        var pharmacist = clerk
        pharmacist.department = "Pharmacy"
        try site.writeFeed([pharmacist])

        // privacyIDEA stamps its audit log with its own clock: these runs are at the real time.
        let moved = try site.run("sync", at: nextSecond())
        expectStatus(moved, 0)
        #expect(try slapd.members(of: "mfa-reverify")?.contains(dn) == true, "\(moved.stdout)")
        #expect(try state(slapd, "000104").contains(";reverify=20"))

        let earlier = try site.run("sync", at: nextSecond())
        expectStatus(earlier, 0)
        let waiting = "reverification-pending: [000104] still waiting to re-verify MFA"
        #expect(earlier.stdout.contains(waiting), "\(earlier.stdout)")
        #expect(earlier.stdout.contains("pi: no MFA sign-in since"))
        #expect(try slapd.members(of: "mfa-reverify")?.contains(dn) == true,
                "the OTP before the move does not count")

        #expect(try !admin.accepts("jsmith", otp: "000000"))
        let wrong = try site.run("sync", at: nextSecond())
        expectStatus(wrong, 0)
        #expect(try slapd.members(of: "mfa-reverify")?.contains(dn) == true,
                "a rejected OTP does not count")
        #expect(try state(slapd, "000104").contains(";reverify="))

        #expect(try admin.accepts("jsmith", otp: PrivacyIDEAAdmin.hotp(1)))
        let plan = try site.run("plan", at: nextSecond())
        #expect(plan.stdout.contains("re-verified (pi: accepted"), "\(plan.stdout)")
        let cleared = try site.run("sync", at: nextSecond())

        expectStatus(cleared, 0)
        #expect(try slapd.members(of: "mfa-reverify")?.contains(dn) != true, "\(cleared.stdout)")
        #expect(try !state(slapd, "000104").contains("reverify"))
        #expect(try slapd.members(of: "pharmacy")?.contains(dn) == true)
        let record = try #require(try site.changeRecords().last { record in
            record["action"] as? String == "remove-from-group"
                && (record["target"] as? String)?.contains("mfa-reverify") == true
        })
        #expect("\(record)".contains("HOTPREVERIFY1"), "the audit record names the evidence")
        let again = try site.run("sync", at: nextSecond())
        #expect(!again.stdout.contains("reverif"), "nothing left to ask: \(again.stdout)")
    }

    /// The next whole second, once the clock has passed it: each run's instant is after
    /// everything the test did before it and not after privacyIDEA's now.
    private func nextSecond() -> String {
        let second = (Date().timeIntervalSince1970 + 1).rounded(.down)
        Thread.sleep(until: Date(timeIntervalSince1970: second + 0.05))
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: second))
    }
}

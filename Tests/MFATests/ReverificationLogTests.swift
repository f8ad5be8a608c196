import Connectors
import Foundation
import HTTP
import IdentitySync
import Testing
import TestSupport

/// The demand the tests ask about: an hour ago, so that entries before and after it are easy
/// to place in the fakes' logs.
let demanded = Date().addingTimeInterval(-3600)

func seconds(_ offset: TimeInterval) -> Int { Int(demanded.timeIntervalSince1970 + offset) }

@Suite struct DuoReverificationTests {
    func fake(_ logs: [[String: Any]], pageSize: Int = 2) throws -> FakeVendor {
        try FakeVendor("duo", users: [
            user("DU1", "agarcia", employeeID: "000101", [("DP1", "phone")]),
            user("DU2", "bray", employeeID: "000102", [("DP2", "phone")]),
        ], pageSize: pageSize, options: ["authlogs": logs])
    }

    func connector(_ fake: FakeVendor, secret: String = FakeVendor.duoKeys.secret)
        throws -> MFAConnector {
        try fake.connector("duo", ["url": fake.base,
                                   "integration_key": FakeVendor.duoKeys.integration,
                                   "secret_key_file": fake.secretFile(secret)])
    }

    func log(_ txid: String, _ user: String, at offset: TimeInterval, _ result: String = "success",
             reason: String = "user_approved", factor: String = "duo_push") -> [String: Any] {
        ["txid": txid, "user_id": user, "timestamp": seconds(offset), "result": result,
         "reason": reason, "factor": factor, "event_type": "authentication"]
    }

    /// A success Duo gave without asking for a factor.
    func remembered(_ txid: String, at offset: TimeInterval) -> [String: Any] {
        log(txid, "DU1", at: offset, reason: "remembered_device", factor: "remembered_device")
    }

    @Test func aSuccessAfterTheDemandIsEvidence() throws {
        let fake = try fake([log("t-before", "DU1", at: -60), log("t-after", "DU1", at: 600)])
        let answer = try connector(fake).latestVerification(of: ana, since: demanded)
        guard case .verified(let evidence) = answer else {
            Issue.record("expected verified, got \(answer)")
            return
        }
        #expect(evidence.contains("duo_push") && evidence.contains("txid t-after"), "\(evidence)")
        #expect(try fake.log() == ["GET /admin/v1/users", "GET /admin/v2/logs/authentication"])
    }

    /// Denials after the demand, a success before it, another user's success, and a success
    /// Duo gave without a factor (a remembered device) are no re-verification.
    @Test func onlyFailuresOrEarlierSuccessesAreNotSince() throws {
        let fake = try fake([
            log("t-old", "DU1", at: -60),
            log("t-denied", "DU1", at: 300, "denied", reason: "user_denied"),
            log("t-fraud", "DU1", at: 400, "fraud", reason: "user_marked_fraud"),
            remembered("t-remembered", at: 500),
            log("t-bob", "DU2", at: 600),
        ], pageSize: 1)
        #expect(try connector(fake).latestVerification(of: ana, since: demanded) == .notSince)
        let bray = try connector(fake).latestVerification(of: bob, since: demanded)
        #expect(evidence(bray)?.contains("txid t-bob") == true, "\(bray)")
    }

    /// The remembered-device success is the newest; the approval under it is on the next page.
    @Test func pagesAreFollowedByTheOffsetPair() throws {
        let fake = try fake([
            log("t-push", "DU1", at: 300),
            remembered("t-remembered", at: 500),
        ], pageSize: 1)
        let answer = try connector(fake).latestVerification(of: ana, since: demanded)
        #expect(evidence(answer)?.contains("txid t-push") == true)
        #expect(try fake.log().filter { $0.hasSuffix("/logs/authentication") }.count == 2)
    }

    @Test func aPersonDuoDoesNotKnowHasNoEvidence() throws {
        let fake = try fake([log("t-after", "DU1", at: 600)])
        let nobody = MFASubject(employeeID: "000199", login: "nobody",
                                dn: "uid=nobody,dc=example,dc=org")
        #expect(try connector(fake).latestVerification(of: nobody, since: demanded) == .notSince)
    }

    /// Duo refuses a mintime that is not before maxtime: a demand dated ahead of this clock
    /// is not sent, and answers that nothing came after it.
    @Test func aDemandAheadOfTheClockIsNotSinceWithoutAsking() throws {
        let fake = try fake([log("t-after", "DU1", at: 600)])
        let ahead = Date().addingTimeInterval(600)
        #expect(try connector(fake).latestVerification(of: ana, since: ahead) == .notSince)
        #expect(try fake.log().isEmpty)
    }

    @Test func aWrongSecretOrAFailingLogIsAFailureNeverEvidence() throws {
        let fake = try fake([log("t-after", "DU1", at: 600)])
        let refused = #expect(throws: MFAFailure.self) {
            try connector(fake, secret: "not-the-secret")
                .latestVerification(of: ana, since: demanded)
        }
        #expect(refused?.description.contains("HTTP 401 code 40103") == true)
        try fake.fail("/admin/v2/logs/authentication", status: 503, count: 10)
        #expect(throws: MFAFailure.self) {
            try connector(fake).latestVerification(of: ana, since: demanded)
        }
    }
}

func evidence(_ answer: MFAVerification) -> String? {
    if case .verified(let evidence) = answer { return evidence }
    return nil
}

@Suite struct OktaReverificationTests {
    func fake(_ events: [[String: Any]]) throws -> FakeVendor {
        try FakeVendor("okta", users: [
            user("00u1", "agarcia", employeeID: "000101", [("fac1", "push")]),
            user("00u2", "bray", employeeID: "000102", [("fac2", "push")]),
        ], options: ["events": events])
    }

    func connector(_ fake: FakeVendor, token: String = FakeVendor.oktaToken)
        throws -> MFAConnector {
        try fake.connector("okta", ["url": fake.base, "token_file": fake.secretFile(token)])
    }

    /// A LogEvent as the System Log gives it.
    func event(_ uuid: String, _ actor: String, at offset: TimeInterval,
               _ result: String = "SUCCESS", type: String = "user.authentication.auth_via_mfa")
        -> [String: Any] {
        let published = Date(timeIntervalSince1970: TimeInterval(seconds(offset)))
        return ["uuid": uuid, "published": ISO8601DateFormatter().string(from: published),
                "eventType": type, "actor": ["id": actor, "type": "User"],
                "outcome": ["result": result],
                "debugContext": ["debugData": ["factor": "OKTA_VERIFY_PUSH"]]]
    }

    @Test func aSuccessfulMFAVerificationAfterTheDemandIsEvidence() throws {
        let fake = try fake([event("e-before", "00u1", at: -60), event("e-after", "00u1", at: 600)])
        let answer = try connector(fake).latestVerification(of: ana, since: demanded)
        #expect(evidence(answer)?.contains("event e-after") == true, "\(answer)")
        #expect(evidence(answer)?.contains("OKTA_VERIFY_PUSH") == true)
        #expect(try fake.log() == ["GET /api/v1/users/agarcia", "GET /api/v1/logs"])
    }

    /// A failed verification after the demand, a success before it, another user's success
    /// and a plain sign-on after it are no re-verification.
    @Test func onlyFailuresOrEarlierSuccessesAreNotSince() throws {
        let fake = try fake([
            event("e-old", "00u1", at: -60), event("e-failed", "00u1", at: 300, "FAILURE"),
            event("e-sso", "00u1", at: 400, type: "user.authentication.sso"),
            event("e-bob", "00u2", at: 600),
        ])
        #expect(try connector(fake).latestVerification(of: ana, since: demanded) == .notSince)
        let bray = try connector(fake).latestVerification(of: bob, since: demanded)
        #expect(evidence(bray)?.contains("event e-bob") == true, "\(bray)")
    }

    @Test func aWrongTokenOrAFailingLogIsAFailureNeverEvidence() throws {
        let fake = try fake([event("e-after", "00u1", at: 600)])
        let refused = #expect(throws: MFAFailure.self) {
            try connector(fake, token: "00wrong").latestVerification(of: ana, since: demanded)
        }
        #expect(refused?.description.contains("HTTP 401 E0000011") == true)
        try fake.fail("/api/v1/logs", status: 503, count: 10)
        #expect(throws: MFAFailure.self) {
            try connector(fake).latestVerification(of: ana, since: demanded)
        }
    }
}

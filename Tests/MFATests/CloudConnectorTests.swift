import Connectors
import Foundation
import HTTP
import IdentitySync
import Testing
import TestSupport

@Suite struct OktaConnectorTests {
    func fake() throws -> FakeVendor {
        try FakeVendor("okta", users: [
            user("00u1", "agarcia", employeeID: "000101", [("fac1", "token:software:totp"), ("fac2", "webauthn")]),
        ])
    }

    func connector(_ fake: FakeVendor, token: String = FakeVendor.oktaToken, findBy: String = "login")
        throws -> MFAConnector {
        try fake.connector("okta", ["url": fake.base, "token_file": fake.secretFile(token), "find_by": findBy])
    }

    @Test func factorsAreListedWithTheirKindsByLoginAndByEmployeeNumber() throws {
        let fake = try fake()
        for findBy in ["login", "employee-id"] {
            let user = state(try connector(fake, findBy: findBy).observe([ana])[ana])
            #expect(user?.authenticators.map(\.kind) == [.totp, .webauthn])
            #expect(user?.hasPhishingResistantFactor == true)
        }
        #expect(state(try connector(fake).observe([bob])[bob])?.exists == false)
    }

    /// The search answers a page at a time (Link: rel="next"): a second user with the same
    /// employee number on the next page is found, so the lookup refuses to pick one.
    @Test func searchFollowsTheLinkHeaderAcrossPages() throws {
        let fake = try FakeVendor("okta", users: [
            user("00u1", "agarcia", employeeID: "000101", [("fac1", "token:software:totp")]),
            user("00u2", "agarcia2", employeeID: "000101", []),
        ], pageSize: 1)
        let result = try connector(fake, findBy: "employee-id").observe([ana])[ana]
        #expect(failure(result)?.contains("2 Okta users have employee number 000101") == true,
                "\(String(describing: result))")
        #expect(try fake.log() == ["GET /api/v1/users", "GET /api/v1/users"])
    }

    @Test func wrongTokenIsAFailureNotAnEmptyList() throws {
        let fake = try fake()
        let result = try connector(fake, token: "00wrong").observe([ana])[ana]
        #expect(failure(result)?.contains("HTTP 401 E0000011") == true, "\(String(describing: result))")
    }

    @Test func leaverFactorsAreDeletedAndSessionsCleared() throws {
        let fake = try fake()
        let okta = try connector(fake)
        let after = try okta.perform(.revokeAuthenticators(delete: true), for: ana)
        _ = try okta.perform(.revokeSessions, for: ana)
        #expect(after?.isEmpty == true)
        #expect(try fake.factorIDs("agarcia").isEmpty)
        #expect(try fake.users()["agarcia"]?["sessions_revoked"] as? Int == 1)
    }

    @Test func rateLimitIsRetriedAndPersistentErrorsAreReported() throws {
        let fake = try fake()
        try fake.fail("/api/v1/users/agarcia", status: 429, count: 2)
        #expect(state(try connector(fake).observe([ana])[ana])?.authenticators.count == 2)
        try fake.fail("/api/v1/users", status: 503, count: 10)
        let result = try connector(fake).observe([ana])[ana]
        #expect(failure(result)?.contains("gave up after 4 attempt") == true, "\(String(describing: result))")
    }
}

@Suite struct GraphConnectorTests {
    func fake() throws -> FakeVendor {
        try FakeVendor("graph", users: [
            user("u-1", "agarcia@example.org", employeeID: "000101",
                 [("m1", "microsoftAuthenticator"), ("m2", "softwareOath"), ("m3", "fido2")]),
        ])
    }

    func connector(_ fake: FakeVendor, secret: String = FakeVendor.graphClient.secret,
                   findBy: String = "employee-id", bulk: String? = nil) throws -> MFAConnector {
        var values = ["url": fake.base + "/v1.0", "token_url": fake.base + "/token",
                      "client_id": FakeVendor.graphClient.id,
                      "client_secret_file": fake.secretFile(secret), "find_by": findBy]
        values["bulk_reconciliation"] = bulk
        return try fake.connector("graph", values)
    }

    /// Two users with methods, one without, and one disabled in Entra with methods.
    func reportFake() throws -> FakeVendor {
        var disabled = user("u-4", "dlee@example.org", employeeID: "000104", [("m5", "phone")])
        disabled["enabled"] = false
        return try FakeVendor("graph", users: [
            user("u-1", "agarcia@example.org", employeeID: "000101",
                 [("m1", "microsoftAuthenticator"), ("m3", "fido2")]),
            user("u-2", "bray@example.org", employeeID: "000102", []),
            user("u-3", "cwu@example.org", employeeID: "000103", [("m4", "softwareOath")]),
            disabled,
        ], pageSize: 1)
    }

    @Test func registrationReportListsWhoHasMethodsAcrossPages() throws {
        let fake = try reportFake()
        let graph = try connector(fake, findBy: "login", bulk: "true")
        #expect(graph.traits.listsInBulk)
        let owners = try graph.usableAuthenticatorsByOwner()
        let ana = MFAOwner.login(of: "agarcia@example.org")
        let chen = MFAOwner.login(of: "cwu@example.org")
        #expect(Set(owners.keys) == [ana, chen])
        #expect(owners[ana]?.map(\.kind) == [.push, .webauthn])
        #expect(owners[chen]?.map(\.id) == ["softwareOneTimePasscode"])
        #expect(owners[chen]?.map(\.kind) == [.totp])
        // The report leaves out the user disabled in Entra, as documented; three pages of one.
        let report = "GET /v1.0/reports/authenticationMethods/userRegistrationDetails"
        #expect(try fake.log() == ["POST /token", report, report, report])
    }

    @Test func registrationReportOwnersByEmployeeIDJoinTheUserList() throws {
        let fake = try reportFake()
        let graph = try connector(fake, findBy: "employee-id", bulk: "true")
        let owners = try graph.usableAuthenticatorsByOwner()
        #expect(Set(owners.keys) == [.employeeID(of: "000101"), .employeeID(of: "000103")])
        #expect(try fake.log().filter { $0 == "GET /v1.0/users" }.count == 4)
    }

    @Test func bulkReconciliationIsOffUnlessAskedAndNeedsAKeyTheReportGives() throws {
        let fake = try reportFake()
        #expect(try connector(fake).traits.listsInBulk == false)
        #expect(throws: ConfigProblem.self) { try connector(fake, findBy: "mail", bulk: "true") }
        #expect(try connector(fake, bulk: "false").traits.listsInBulk == false)
    }

    @Test func aFailedReportPageFailsTheWholeListing() throws {
        let fake = try reportFake()
        try fake.fail("/v1.0/reports", status: 503, count: 10)
        let graph = try connector(fake, findBy: "login", bulk: "true")
        #expect(throws: MFAFailure.self) { try graph.usableAuthenticatorsByOwner() }
    }

    @Test func methodsAreListedAcrossPagesWithoutThePassword() throws {
        let fake = try fake()
        for findBy in ["employee-id", "mail"] {
            let user = state(try connector(fake, findBy: findBy).observe([ana])[ana])
            #expect(user?.authenticators.map(\.id) == ["m1", "m2", "m3"])
            #expect(user?.authenticators.map(\.kind) == [.push, .totp, .webauthn])
        }
        #expect(try fake.log().contains { $0.hasPrefix("GET /v1.0/users/u-1/authentication/methods") })
    }

    /// A next link to another host would carry the bearer token there: it is refused, and
    /// the listing fails rather than ending early with the methods read so far.
    @Test func aNextLinkToAnotherHostIsRefused() throws {
        let fake = try FakeVendor("graph", users: [
            user("u-1", "agarcia@example.org", employeeID: "000101",
                 [("m1", "microsoftAuthenticator"), ("m2", "softwareOath"), ("m3", "fido2")]),
        ], options: ["next_link_host": "127.0.0.2:9"])
        let result = try connector(fake).observe([ana])[ana]
        let foreign = "http://127.0.0.2:9/v1.0/users/u-1/authentication/methods"
        #expect(failure(result)?.contains("the next page \(foreign)") == true,
                "\(String(describing: result))")
        #expect(failure(result)?.contains("is outside \(fake.base)/v1.0") == true)
    }

    @Test func wrongClientSecretIsAFailure() throws {
        let fake = try fake()
        let result = try connector(fake, secret: "wrong").observe([ana])[ana]
        #expect(failure(result)?.contains("refused the client credentials: HTTP 401 invalid_client") == true,
                "\(String(describing: result))")
    }

    @Test func leaverMethodsAreDeletedAndSignInSessionsRevoked() throws {
        let fake = try fake()
        let graph = try connector(fake)
        let after = try graph.perform(.revokeAuthenticators(delete: true), for: ana)
        _ = try graph.perform(.revokeSessions, for: ana)
        #expect(after?.isEmpty == true)
        #expect(try fake.factorIDs("agarcia@example.org").isEmpty)
        #expect(try fake.users()["agarcia@example.org"]?["sessions_revoked"] as? Int == 1)
        #expect(try fake.log().contains("DELETE /v1.0/users/u-1/authentication/fido2Methods/m3"))
    }

    @Test func rateLimitIsRetriedAndPersistentErrorsAreReported() throws {
        let fake = try fake()
        try fake.fail("/v1.0/users", status: 429, count: 2)
        #expect(state(try connector(fake).observe([ana])[ana])?.authenticators.count == 3)
        try fake.fail("/v1.0/users/u-1/revokeSignInSessions", status: 503, count: 10)
        #expect(throws: MFAFailure.self) { try connector(fake).perform(.revokeSessions, for: ana) }
        #expect(try fake.users()["agarcia@example.org"]?["sessions_revoked"] == nil)
    }
}

@Suite struct DuoConnectorTests {
    func fake() throws -> FakeVendor {
        try FakeVendor("duo", users: [
            user("DU1", "agarcia", employeeID: "000101", [("DP1", "phone"), ("DT1", "h6"), ("WK1", "webauthn")]),
            user("DU2", "bray", employeeID: "000102", [("DP2", "phone")]),
            user("DU3", "cwu", employeeID: "000103", []),
        ])
    }

    func connector(_ fake: FakeVendor, secret: String = FakeVendor.duoKeys.secret, bulk: Int = 50)
        throws -> MFAConnector {
        try fake.connector("duo", ["url": fake.base, "integration_key": FakeVendor.duoKeys.integration,
                                   "secret_key_file": fake.secretFile(secret), "bulk_threshold": "\(bulk)"])
    }

    @Test func signedRequestsListPhonesTokensAndWebAuthnCredentials() throws {
        let fake = try fake()
        let user = state(try connector(fake).observe([ana])[ana])
        #expect(user?.authenticators.map(\.label) == ["DP1 (phone)", "DT1 (h6)", "WK1 (webauthn)"])
        #expect(user?.hasPhishingResistantFactor == true)
    }

    @Test func wrongSecretKeyIsRefusedAsABadSignature() throws {
        let fake = try fake()
        let result = try connector(fake, secret: "not-the-secret").observe([ana])[ana]
        #expect(failure(result)?.contains("HTTP 401 code 40103") == true, "\(String(describing: result))")
    }

    @Test func bulkListingPagesThroughEveryUser() throws {
        let fake = try fake()
        let results = try connector(fake, bulk: 1).observe([ana, bob])
        #expect(state(results[bob])?.authenticators.map(\.id) == ["DP2"])
        #expect(state(results[ana])?.authenticators.count == 3)
        #expect(try fake.log() == ["GET /admin/v1/users", "GET /admin/v1/users"])
    }

    @Test func leaverFactorsAreRemoved() throws {
        let fake = try fake()
        let after = try connector(fake).perform(.revokeAuthenticators(delete: true), for: ana)
        #expect(after?.isEmpty == true)
        #expect(try fake.factorIDs("agarcia").isEmpty)
        #expect(try fake.factorIDs("bray") == ["DP2"])
    }

    @Test func rateLimitIsRetriedAndPersistentErrorsAreReported() throws {
        let fake = try fake()
        try fake.fail("/admin/v1/users", status: 429, count: 2)
        #expect(state(try connector(fake).observe([ana])[ana])?.authenticators.count == 3)
        try fake.fail("/admin/v1/users", status: 500, count: 10)
        let result = try connector(fake).observe([ana])[ana]
        #expect(failure(result)?.contains("gave up") == true, "\(String(describing: result))")
    }
}

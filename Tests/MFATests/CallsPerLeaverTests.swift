import Connectors
import Foundation
import IdentitySync
import Testing
import TestSupport

/// The API calls a leaver costs each cloud connector, counted by the fakes rather than read
/// off the code: the planning look-up (`observe`, with the bulk listing of a connector that
/// lists in bulk), then the changes a leaver's plan holds (revoke or delete every
/// authenticator, end the sessions where the connector can). One run with 1 leaver and one
/// with 10, each leaver with k = 2 authenticators: the difference over 9 is the cost per
/// leaver, the rest the cost per run. README's table gives these figures.
@Suite struct CallsPerLeaverTests {
    static let k = 2

    static func employeeID(_ index: Int) -> String { String(format: "9%05d", index) }

    /// `count` leavers, each with k factors of `type`, as the fake's users and as subjects.
    func leavers(_ count: Int, login: (Int) -> String,
                 type: String) -> (users: [[String: Any]], subjects: [MFASubject]) {
        let users = (0..<count).map { index in
            user("id\(index)", login(index), employeeID: CallsPerLeaverTests.employeeID(index),
                 (0..<CallsPerLeaverTests.k).map { ("f\(index)-\($0)", type) })
        }
        let subjects = (0..<count).map { index in
            MFASubject(employeeID: CallsPerLeaverTests.employeeID(index), login: login(index),
                       dn: "uid=u\(index),ou=people,dc=example,dc=org", mail: login(index))
        }
        return (users, subjects)
    }

    /// What a leaver run asks of the connector, in the order the sync asks it.
    func leaverRun(_ connector: MFAConnector, _ subjects: [MFASubject]) throws {
        let traits = connector.traits
        let observations = MFAObservations.observe([connector], subjects: subjects)
        for subject in subjects {
            let result = observations.lookup(traits.name, subject)
            guard case .success(let user) = result else {
                Issue.record("\(subject.login) was not observed: \(result)")
                continue
            }
            #expect(user.authenticators.count == CallsPerLeaverTests.k)
            let delete = traits.leaverPolicy == .delete
            let after = try connector.perform(.revokeAuthenticators(delete: delete), for: subject)
            #expect(after?.filter(\.usable).isEmpty == true)
            if traits.revokesSessions { _ = try connector.perform(.revokeSessions, for: subject) }
        }
    }

    /// Requests the fake answered for 1 leaver and for 10, as (per leaver, per run).
    func measure(_ vendor: String, type: String, login: @escaping (Int) -> String,
                 make: (FakeVendor) throws -> MFAConnector)
        throws -> (perLeaver: Int, perRun: Int) {
        var calls: [Int] = []
        for count in [1, 10] {
            let (users, subjects) = leavers(count, login: login, type: type)
            let fake = try FakeVendor(vendor, users: users, pageSize: 100)
            try leaverRun(try make(fake), subjects)
            calls.append(try fake.log().count)
        }
        let perLeaver = (calls[1] - calls[0]) / 9
        print("calls per leaver (k = \(CallsPerLeaverTests.k)): \(vendor) \(perLeaver) per leaver "
              + "+ \(calls[0] - perLeaver) per run (1 leaver: \(calls[0]), 10: \(calls[1]))")
        #expect((calls[1] - calls[0]) % 9 == 0, "the cost is not linear: \(calls)")
        return (perLeaver, calls[0] - perLeaver)
    }

    @Test func okta() throws {
        let cost = try measure("okta", type: "token:software:totp", login: { "u\($0)" }) { fake in
            try fake.connector("okta", ["url": fake.base,
                                        "token_file": fake.secretFile(FakeVendor.oktaToken)])
        }
        // user, factors (plan); factors, k deletes, factors after, sessions (apply)
        #expect(cost.perLeaver == 5 + CallsPerLeaverTests.k && cost.perRun == 0)
    }

    @Test func graph() throws {
        let secret = FakeVendor.graphClient.secret
        let login = { (index: Int) in "u\(index)@example.org" }
        let cost = try measure("graph", type: "softwareOath", login: login) { fake in
            try fake.connector("graph", ["url": fake.base + "/v1.0",
                                         "token_url": fake.base + "/token",
                                         "client_id": FakeVendor.graphClient.id,
                                         "client_secret_file": fake.secretFile(secret),
                                         "find_by": "login"])
        }
        // user, methods (plan); methods, k deletes, methods after, revokeSignInSessions
        // (apply); one token a run
        #expect(cost.perLeaver == 5 + CallsPerLeaverTests.k && cost.perRun == 1)
    }

    func duo(_ fake: FakeVendor, _ extra: [String: String] = [:]) throws -> MFAConnector {
        let values = ["url": fake.base, "integration_key": FakeVendor.duoKeys.integration,
                      "secret_key_file": fake.secretFile(FakeVendor.duoKeys.secret)]
        return try fake.connector("duo", values.merging(extra) { _, given in given })
    }

    @Test func duo() throws {
        let cost = try measure("duo", type: "h6", login: { "u\($0)" }) { try duo($0) }
        // user (plan); user, k deletes, user after (apply); no session revocation in the Admin
        // API. A run also reads the user list once for bulk reconciliation (on by default).
        #expect(cost.perLeaver == 3 + CallsPerLeaverTests.k && cost.perRun == 1)
    }

    @Test func duoListingInBulk() throws {
        let cost = try measure("duo", type: "h6", login: { "u\($0)" }) {
            try duo($0, ["bulk_threshold": "1"])
        }
        // one listing page a run (up to 100 users here, 300 at Duo) instead of a look-up each
        #expect(cost.perLeaver == 2 + CallsPerLeaverTests.k && cost.perRun == 1)
    }

    /// The site program knows nothing of k: one run answers the observe for every subject,
    /// one run per action.
    @Test func exec() throws {
        var runs: [Int] = []
        for count in [1, 10] {
            let (site, _) = try ExecConnectorTests().connector(passEnv: [])
            let subjects = [ana] + (1..<count).map { index in
                MFASubject(employeeID: CallsPerLeaverTests.employeeID(index), login: "u\(index)",
                           dn: "uid=u\(index),ou=people,dc=example,dc=org")
            }
            let observed = MFAObservations.observe([site], subjects: subjects)
            #expect(observed.results["site"]?.count == count)
            for subject in subjects {
                _ = try site.perform(.revokeAuthenticators(delete: false), for: subject)
            }
            runs.append(try #require(site as? ExecConnector).requestCount)
        }
        print("calls per leaver: exec \((runs[1] - runs[0]) / 9) program run per leaver + "
              + "\(runs[0] - (runs[1] - runs[0]) / 9) per run")
        #expect(runs == [2, 11])
    }
}

import Foundation
import HTTP
import Testing
import TestSupport

/// Bulk reconciliation with Microsoft Graph's registration report, through the whole sync:
/// a leaver whose revocation was recorded complete gets a method registered behind idsync's
/// back; the next run finds it in the report and deletes it, asking Graph one by one only
/// about that user. Graph is the local fake of `Tests/MFATests/fake_vendors.py`.
@Suite(.serialized) struct GraphReconciliationTests {
    static let clientSecret = "fake-client-secret"

    /// The fake on 127.0.0.1 with the clerk's and the nurse's methods, in pages of one.
    final class Graph {
        let server: LocalServer
        let base: String
        private let control = HTTPClient(options: HTTPOptions(maxAttempts: 1))

        init(dir: String) throws {
            let users: [[String: Any]] = [
                ["id": "u-104", "login": "jsmith", "employee_id": "000104",
                 "factors": [["id": "m1", "type": "microsoftAuthenticator"]]],
                ["id": "u-101", "login": "agarcia", "employee_id": "000101",
                 "factors": [["id": "m2", "type": "fido2"]]],
            ]
            let state = dir + "/graph-state.json"
            let data = try JSONSerialization.data(withJSONObject: ["users": users, "page_size": 1])
            FileManager.default.createFile(atPath: state, contents: data)
            let script = SyncFixture.packageRoot + "/Tests/MFATests/fake_vendors.py"
            server = try LocalServer(executable: "python3", arguments: [script, "graph", state],
                                     environment: ["FAKE_GRAPH_CLIENT_ID": "idsync-app",
                                                   "FAKE_GRAPH_CLIENT_SECRET": clientSecret])
            base = "http://127.0.0.1:\(try server.waitForLine(prefix: "PORT "))"
        }

        func connectorYAML(secretFile: String) -> String {
            """
            mfa:
              connectors:
                - name: entra
                  type: graph
                  url: \(base)/v1.0
                  token_url: \(base)/token
                  client_id: idsync-app
                  client_secret_file: \(secretFile)
                  find_by: login
                  bulk_reconciliation: true
            """
        }

        func add(_ login: String, id: String, type: String) throws {
            let body: [String: Any] = ["login": login, "factor": ["id": id, "type": type]]
            _ = try control.send(try HTTPRequest.json("POST", base + "/_fake/add", object: body))
        }

        func factorIDs(_ login: String) throws -> [String] {
            let response = try control.send(HTTPRequest(url: base + "/_fake/state"))
            let state = try JSONSerialization.jsonObject(with: Data(response.body))
            let users = (state as? [String: Any])?["users"] as? [[String: Any]] ?? []
            let user = users.first { $0["login"] as? String == login }
            return (user?["factors"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }

        func log() throws -> [String] {
            let response = try control.send(HTTPRequest(url: base + "/_fake/log"))
            return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String] ?? []
        }
    }

    @Test func methodRegisteredForASettledLeaverIsDeletedByTheNextRun() throws {
        let slapd = try TestSlapd()
        let graph = try Graph(dir: slapd.dir)
        let secretFile = slapd.dir + "/entra.secret"
        let secret = Data((Self.clientSecret + "\n").utf8)
        FileManager.default.createFile(atPath: secretFile, contents: secret,
                                       attributes: [.posixPermissions: 0o600])
        let guards = SyncFixture.roomyGuards + "\n" + graph.connectorYAML(secretFile: secretFile)
        let site = try SyncFixture(slapd: slapd, guards: guards)
        try site.writeFeed([clerk, nurse])
        expectStatus(try site.run("sync"), 0)
        try site.writeFeed([clerk.terminated(), nurse])
        expectStatus(try site.run("sync"), 0)
        #expect(try graph.factorIDs("jsmith").isEmpty)
        let state = try slapd.person(employeeID: "000104").first("idsyncState")
        #expect(state?.contains(";revoked") == true, "recorded complete: \(state ?? "no state")")

        // Behind idsync's back, somebody registers a phone for the leaver.
        try graph.add("jsmith", id: "m3", type: "phone")
        let seen = try graph.log().count
        let plan = try site.run("plan")

        #expect(plan.stdout.contains("delete-authenticators 000104 jsmith"), "\(plan.stdout)")
        #expect(plan.stdout.contains("mobilePhone"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("agarcia"), "the nurse is active: not this run's business")
        // A token and the report, two users in pages of one; nobody looked up one by one.
        let report = "GET /v1.0/reports/authenticationMethods/userRegistrationDetails"
        #expect(Array(try graph.log().dropFirst(seen)) == ["POST /token", report, report])

        let before = try graph.log().count
        expectStatus(try site.run("sync"), 0)

        #expect(try graph.factorIDs("jsmith").isEmpty)
        #expect(try graph.factorIDs("agarcia") == ["m2"])
        let perUser = try graph.log().dropFirst(before).filter {
            $0.hasPrefix("GET /v1.0/users/") || $0.hasPrefix("DELETE")
        }
        #expect(perUser.allSatisfy { $0.contains("/users/jsmith") || $0.contains("/users/u-104") },
                "\(perUser)")
        #expect(perUser.contains("DELETE /v1.0/users/u-104/authentication/phoneMethods/m3"))
        let record = try #require(try site.changeRecords().last {
            $0["action"] as? String == "delete-authenticators"
        })
        #expect("\(record)".contains("mfa-reconciliation"), "\(record)")
    }
}

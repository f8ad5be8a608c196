import Connectors
import Foundation
import HTTP
import IdentitySync
import Testing
import TestSupport

/// One vendor fake of `fake_vendors.py` on 127.0.0.1, seeded with users and their factors,
/// and the idsync connector pointed at it.
final class FakeVendor {
    let server: LocalServer
    let base: String
    let dir: String
    private let control = HTTPClient(options: HTTPOptions(maxAttempts: 1))

    /// The secrets the fake expects; a test can give the connector others.
    static let duoKeys = (integration: "DIFAKEINTEGRATIONKEY", secret: "fake-duo-secret-key-0123456789")
    static let oktaToken = "00fake-okta-api-token"
    static let graphClient = (id: "fake-client-id", secret: "fake-client-secret")

    /// `options` go into the fake's state as they are (`next_link_host`, …).
    init(_ vendor: String, users: [[String: Any]], pageSize: Int = 2,
         options: [String: Any] = [:]) throws {
        dir = try makeTemporaryDirectory("fake-\(vendor)")
        let state = dir + "/state.json"
        let fixed: [String: Any] = ["users": users, "page_size": pageSize]
        let document = options.merging(fixed) { _, given in given }
        let data = try JSONSerialization.data(withJSONObject: document)
        FileManager.default.createFile(atPath: state, contents: data)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("fake_vendors.py").path
        server = try LocalServer(executable: "python3", arguments: [script, vendor, state], environment: [
            "FAKE_DUO_IKEY": FakeVendor.duoKeys.integration, "FAKE_DUO_SKEY": FakeVendor.duoKeys.secret,
            "FAKE_OKTA_TOKEN": FakeVendor.oktaToken,
            "FAKE_GRAPH_CLIENT_ID": FakeVendor.graphClient.id,
            "FAKE_GRAPH_CLIENT_SECRET": FakeVendor.graphClient.secret,
        ])
        base = "http://127.0.0.1:\(try server.waitForLine(prefix: "PORT "))"
    }

    /// A secret file of mode 0600 holding `secret`.
    func secretFile(_ secret: String, name: String = "secret") -> String {
        let path = dir + "/\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
        return path
    }

    /// The connector of `type` on this fake, built through the config path a site uses.
    func connector(_ type: String, _ values: [String: String]) throws -> MFAConnector {
        var config = MFAConfig()
        config.connectors = [MFAConnectorSettings(name: type, type: type, values: values, origin: "test.yaml:1")]
        return try #require(try MFAConnectors.make(config, environment: [:]).first)
    }

    /// The next `count` requests whose path starts with `path` get `status`.
    func fail(_ path: String, status: Int, count: Int, retryAfter: String? = "0") throws {
        var body: [String: Any] = ["path": path, "status": status, "count": count]
        if let retryAfter { body["retry_after"] = retryAfter }
        _ = try control.send(try HTTPRequest.json("POST", base + "/_fake/fail", object: body))
    }

    /// The fake's users now, by login.
    func users() throws -> [String: [String: Any]] {
        let response = try control.send(HTTPRequest(url: base + "/_fake/state"))
        let state = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let list = state?["users"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["login"] as? String ?? "", $0) })
    }

    func factorIDs(_ login: String) throws -> [String] {
        ((try users()[login]?["factors"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    /// The requests the fake answered, as `METHOD /path`.
    func log() throws -> [String] {
        let response = try control.send(HTTPRequest(url: base + "/_fake/log"))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String] ?? []
    }
}

let ana = MFASubject(employeeID: "000101", login: "agarcia", dn: "uid=agarcia,ou=people,dc=example,dc=org",
                     mail: "agarcia@example.org")
let bob = MFASubject(employeeID: "000102", login: "bray", dn: "uid=bray,ou=people,dc=example,dc=org")

func user(_ id: String, _ login: String, employeeID: String, _ factors: [(String, String)]) -> [String: Any] {
    ["id": id, "login": login, "employee_id": employeeID,
     "factors": factors.map { ["id": $0.0, "type": $0.1, "status": "ACTIVE"] }]
}

func state(_ result: Result<MFAUserState, MFAFailure>?, sourceLocation: SourceLocation = #_sourceLocation)
    -> MFAUserState? {
    switch result {
    case .success(let state): return state
    case .failure(let failure):
        Issue.record("observing failed: \(failure)", sourceLocation: sourceLocation)
        return nil
    case nil:
        Issue.record("no result", sourceLocation: sourceLocation)
        return nil
    }
}

func failure(_ result: Result<MFAUserState, MFAFailure>?) -> String? {
    if case .failure(let failure) = result { return failure.description }
    return nil
}

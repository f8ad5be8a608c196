import Foundation
import TestSupport
import Testing

/// A SCIM server for one test on 127.0.0.1: the real scim2-server from PyPI (the venv that
/// scripts/install-deps.sh makes), or scripts/scim-standin.py misbehaving in one way. The
/// bearer token is random per server and reaches it through the environment only.
final class TestSCIMServer: @unchecked Sendable {
    let process: LocalServer
    let port: Int
    let token: String
    let scheme: String
    var baseURL: String { "\(scheme)://127.0.0.1:\(port)/v2" }

    static let python = SyncFixture.packageRoot + "/.venv-scim/bin/python"
    static func script(_ name: String) -> String { SyncFixture.packageRoot + "/scripts/" + name }

    private init(arguments: [String], token: String, scheme: String = "http") throws {
        self.scheme = scheme
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw TestSlapdError(
                "\(Self.python) is missing: run scripts/install-deps.sh, which makes the "
                    + "scim2-server venv the SCIM tests use")
        }
        self.token = token
        process = try LocalServer(
            executable: Self.python, arguments: arguments,
            environment: ["IDSYNC_SCIM_TOKEN": token])
        guard let port = Int(try process.waitForLine(prefix: "PORT ", timeout: 60)) else {
            throw TestSlapdError("the SCIM server announced no port; see \(process.logFile)")
        }
        self.port = port
    }

    /// scim2-server with the HR extension, empty until `seed`.
    static func scim2() throws -> TestSCIMServer {
        try TestSCIMServer(arguments: [script("scim-test-server.py")], token: randomToken())
    }

    /// The stand-in serving `people` in `mode` (see scripts/scim-standin.py).
    /// The stand-in serving `people` in `mode` (see scripts/scim-standin.py), over https with
    /// `tls` when given.
    static func standIn(
        _ mode: String, people: [HRRow], in dir: String, cap: Int? = nil,
        tls: ThrowawayCertificates? = nil
    ) throws -> TestSCIMServer {
        let file = try writePeople(people, in: dir)
        let capArguments = cap.map { ["--cap", String($0)] } ?? []
        let tlsArguments = tls.map { ["--tls", $0.certificateFile, $0.keyFile] } ?? []
        return try TestSCIMServer(
            arguments: [script("scim-standin.py"), mode, "--people", file] + capArguments
                + tlsArguments,
            token: randomToken(), scheme: tls == nil ? "http" : "https")
    }

    /// Creates the users through POST /Bulk (scripts/scim-seed.py).
    func seed(_ people: [HRRow], in dir: String) throws {
        let file = try Self.writePeople(people, in: dir)
        let output = try TestSlapd.run(
            executable: Self.python,
            arguments: [Self.script("scim-seed.py"), baseURL, "--people", file],
            environment: ["IDSYNC_SCIM_TOKEN": token])
        guard output.status == 0 else {
            throw TestSlapdError(
                "scim-seed.py exited \(output.status): \(output.stderr)\(output.stdout)")
        }
    }

    /// The lines the stand-in logged, one per request: `GET startIndex=1 count=4 -> 200`.
    var requestLog: [String] {
        TestSlapd.contents(process.logFile).split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("GET ")
        }
    }

    static func randomToken() -> String {
        "tok-" + UUID().uuidString.lowercased()
    }

    private static func writePeople(_ people: [HRRow], in dir: String) throws -> String {
        let file = dir + "/scim-people-\(UUID().uuidString).json"
        let data = try JSONSerialization.data(
            withJSONObject: people.map(\.scimPerson), options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }
}

extension HRRow {
    /// The same person as the fields scripts/scim_people.py makes a User resource of.
    var scimPerson: [String: Any] {
        [
            "employee_id": id, "first": first, "preferred": preferred, "last": last, "title": title,
            "job_code": jobCode, "department": department, "location": location,
            "worker_type": workerType,
            "active": status != "Terminated", "hire": HRRow.iso(hire),
            "termination": HRRow.iso(termination),
            "contract_end": HRRow.iso(contractEnd), "manager": manager,
        ]
    }

    /// MM/dd/yyyy as yyyy-MM-dd; "" stays "".
    static func iso(_ date: String) -> String {
        let parts = date.split(separator: "/")
        guard parts.count == 3 else { return date }
        return "\(parts[2])-\(parts[0])-\(parts[1])"
    }
}

extension SyncFixture {
    var scimConfigPath: String { dir + "/idsync-scim.yaml" }
    var scimTokenPath: String { dir + "/scim.token" }

    /// Writes idsync-scim.yaml: this site's config with the feed read from `server`, the
    /// token in a file of mode 0600.
    func writeSCIMConfig(_ server: TestSCIMServer, pageSize: Int = 4, extra: String = "") throws {
        FileManager.default.createFile(
            atPath: scimTokenPath, contents: Data((server.token + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        let text = TestSlapd.contents(configPath)
        guard let start = text.range(of: "feed:\n"), let end = text.range(of: "directory:\n") else {
            throw TestSlapdError("the fixture's config has no feed section")
        }
        let hr = "urn:example:params:scim:schemas:extension:hr:2.0:User"
        let feed = """
            feed:
              type: scim
              url: \(server.baseURL)
              token_file: \(scimTokenPath)
              page_size: \(pageSize)
              max_attempts: 2
              layout: \(SyncFixture.packageRoot)/mappings/scim.yaml
              attributes:
                job_code: \(hr):jobCode
                hire_date: \(hr):hireDate
                termination_date: \(hr):terminationDate
                contract_end_date: \(hr):contractEndDate
              max_bad_rows: 5
              missing_person: leaver
            \(extra)

            """
        let scim = text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: feed)
        try scim.write(toFile: scimConfigPath, atomically: true, encoding: .utf8)
    }
}

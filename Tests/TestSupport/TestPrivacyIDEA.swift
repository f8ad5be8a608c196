import Foundation

/// One privacyIDEA 3.14 for the whole test run (it takes about 17 s to set up and start),
/// from the venv `scripts/install-deps.sh` makes in the checkout. Tests share it and keep
/// apart by realm and resolver names of their own. It exits with the test process.
public final class TestPrivacyIDEA: @unchecked Sendable {
    public let base: String
    /// The admin password, in a file of mode 0600 as idsync's config expects it.
    public let passwordFile: String
    public let adminPassword: String
    /// The server's log: one line per request (method, path and query), for counting calls.
    public let logFile: String
    private let server: LocalServer

    private static let shared = Result { try TestPrivacyIDEA() }

    /// The running server; the first caller starts it, the others wait for it.
    public static func start() throws -> TestPrivacyIDEA { try shared.get() }

    public static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    private init() throws {
        let python = TestPrivacyIDEA.packageRoot + "/.venv-privacyidea/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw LocalServerError("no privacyIDEA venv at \(python): run scripts/install-deps.sh")
        }
        let dir = try makeTemporaryDirectory("privacyidea")
        adminPassword = "Pi-" + UUID().uuidString
        passwordFile = dir + "/admin.pw"
        logFile = dir + "/server.log"
        _ = FileManager.default.createFile(atPath: passwordFile, contents: Data((adminPassword + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        server = try LocalServer(executable: python,
                                 arguments: [TestPrivacyIDEA.packageRoot + "/scripts/privacyidea-test-server.py",
                                             dir + "/server"],
                                 environment: ["IDSYNC_PI_ADMIN_PASSWORD": adminPassword],
                                 logFile: logFile)
        let port = try server.waitForLine(prefix: "PORT ", timeout: 120)
        base = "http://127.0.0.1:\(port)"
    }
}

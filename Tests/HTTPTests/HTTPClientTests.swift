import Foundation
import HTTP
import Testing
import TestSupport

/// The scripted server of this folder, started once per test on a port the kernel picks.
private final class ScriptedServer {
    let server: LocalServer
    let base: String

    init(scheme: String = "http", tls: ThrowawayCertificates? = nil) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("scripted_server.py").path
        let extra = tls.map { ["--tls", $0.certificateFile, $0.keyFile] } ?? []
        server = try LocalServer(executable: "python3", arguments: [script] + extra)
        let port = try server.waitForLine(prefix: "PORT ")
        base = "\(scheme)://127.0.0.1:\(port)"
    }

    func requests(to path: String, client: HTTPClient) throws -> Int {
        let response = try client.send(HTTPRequest(url: base + "/count" + path))
        let object = try #require(try response.json(url: base) as? [String: Any])
        return try #require(object["count"] as? Int)
    }
}

/// Records the waits the client asked for instead of sleeping through them.
private final class SleepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Double] = []

    var recorded: [Double] { lock.withLock { waits } }

    func options(maxAttempts: Int = 4) -> HTTPOptions {
        var options = HTTPOptions(maxAttempts: maxAttempts)
        options.sleep = { [self] seconds in lock.withLock { waits.append(seconds) } }
        return options
    }
}

@Suite struct HTTPClientTests {
    @Test func postSendsHeadersAndBodyAndReadsTheAnswer() throws {
        let server = try ScriptedServer()
        let client = HTTPClient()

        let request = try HTTPRequest.json("POST", server.base + "/echo", object: ["employee": "000123"],
                                           headers: [(name: "Authorization", value: "Bearer test-value")])
        let response = try client.send(request)

        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let echoed = try #require(try response.json(url: server.base) as? [String: Any])
        let headers = try #require(echoed["headers"] as? [String: String])
        #expect(echoed["method"] as? String == "POST")
        #expect(echoed["body"] as? String == #"{"employee":"000123"}"#)
        #expect(headers["authorization"] == "Bearer test-value")
        #expect(headers["expect"] == nil)
    }

    @Test func deleteWithoutABodyIsSentAsDelete() throws {
        let server = try ScriptedServer()

        let response = try HTTPClient().send(HTTPRequest(method: "DELETE", url: server.base + "/echo"))

        let echoed = try #require(try response.json(url: server.base) as? [String: Any])
        #expect(echoed["method"] as? String == "DELETE")
    }

    @Test func aClientErrorIsAnAnswerNotARetry() throws {
        let server = try ScriptedServer()
        let sleeps = SleepLog()
        let client = HTTPClient(options: sleeps.options())

        let response = try client.send(HTTPRequest(url: server.base + "/status/404"))

        #expect(response.status == 404)
        #expect(try server.requests(to: "/status/404", client: client) == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func rateLimitIsRetriedAfterTheWaitTheServerAsked() throws {
        let server = try ScriptedServer()
        let sleeps = SleepLog()
        let client = HTTPClient(options: sleeps.options())

        let response = try client.send(HTTPRequest(method: "POST", url: server.base + "/busy/a/2"))

        #expect(response.status == 200)
        #expect(sleeps.recorded == [1, 1])
        #expect(try server.requests(to: "/busy/a/2", client: client) == 3)
    }

    @Test func serverErrorsAreRetriedThenReported() throws {
        let server = try ScriptedServer()
        let sleeps = SleepLog()
        let client = HTTPClient(options: sleeps.options(maxAttempts: 3))

        let error = try #require(throws: HTTPError.self) {
            _ = try client.send(HTTPRequest(url: server.base + "/status/503"))
        }

        guard case .retriesExhausted(_, let attempts, let status, _) = error else {
            Issue.record("expected retriesExhausted, got \(error)")
            return
        }
        #expect(attempts == 3 && status == 503)
        #expect(sleeps.recorded == [0.5, 1.0])
        #expect(try server.requests(to: "/status/503", client: client) == 3)
    }

    @Test func aPostIsNotRetriedOnAServerErrorUnlessMarkedSafe() throws {
        let server = try ScriptedServer()
        let client = HTTPClient(options: SleepLog().options())

        let once = try client.send(HTTPRequest(method: "POST", url: server.base + "/status/500"))
        #expect(once.status == 500)
        #expect(try server.requests(to: "/status/500", client: client) == 1)

        let safe = HTTPRequest(method: "POST", url: server.base + "/status/502", retryable: true)
        #expect(throws: HTTPError.self) { _ = try client.send(safe) }
        #expect(try server.requests(to: "/status/502", client: client) == 4)
    }

    @Test func aWaitLongerThanAllowedEndsTheRetriesAtOnce() throws {
        let server = try ScriptedServer()
        let sleeps = SleepLog()
        let client = HTTPClient(options: sleeps.options())

        let error = try #require(throws: HTTPError.self) {
            _ = try client.send(HTTPRequest(url: server.base + "/wait-long"))
        }

        #expect(error.description.contains("asked to wait 3600 s"))
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func aSlowServerTimesOut() throws {
        let server = try ScriptedServer()
        var options = HTTPOptions(requestTimeout: 0.5, maxAttempts: 1)
        options.sleep = { _ in }

        let error = try #require(throws: HTTPError.self) {
            _ = try HTTPClient(options: options).send(HTTPRequest(url: server.base + "/slow"))
        }

        guard case .transport(_, let code, _) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(code == 28)
    }

    @Test func aRefusedConnectionIsRetriedThenReported() throws {
        let port = try ScriptedServer().base.split(separator: ":").last!
        let sleeps = SleepLog()

        let error = try #require(throws: HTTPError.self) {
            let client = HTTPClient(options: sleeps.options(maxAttempts: 2))
            _ = try client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/echo"))
        }

        #expect(error.isTransient)
        #expect(sleeps.recorded.count == 1)
    }

    @Test func aBodyThatIsNotJSONIsNamedAsSuch() throws {
        let server = try ScriptedServer()
        let response = try HTTPClient().send(HTTPRequest(url: server.base + "/not-json?token=x"))

        let error = try #require(throws: HTTPError.self) {
            _ = try response.json(url: server.base + "/not-json?token=x")
        }
        #expect(error.description == "\(server.base)/not-json: HTTP 200 with a body that is not JSON")
    }

    @Test func notAnHTTPURLIsRefusedBeforeAnyTransfer() throws {
        let error = try #require(throws: HTTPError.self) {
            _ = try HTTPClient().send(HTTPRequest(url: "file:///etc/passwd"))
        }
        guard case .invalidURL = error else {
            Issue.record("expected invalidURL, got \(error)")
            return
        }
    }
}

private let opensslInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

@Suite(.enabled(if: opensslInstalled, "needs openssl to make a throwaway CA"))
struct HTTPSTests {
    @Test func httpsVerifiesAgainstTheNamedCA() throws {
        let directory = try makeTemporaryDirectory("https")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try ThrowawayCertificates(in: directory)
        let server = try ScriptedServer(scheme: "https", tls: certificates)

        let client = HTTPClient(options: HTTPOptions(caFile: certificates.caFile))
        let response = try client.send(HTTPRequest(url: server.base + "/echo"))

        #expect(response.status == 200)
    }

    @Test func httpsWithoutTheCAFailsVerificationAndIsNotRetried() throws {
        let directory = try makeTemporaryDirectory("https")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try ThrowawayCertificates(in: directory)
        let server = try ScriptedServer(scheme: "https", tls: certificates)
        let sleeps = SleepLog()

        let error = try #require(throws: HTTPError.self) {
            _ = try HTTPClient(options: sleeps.options()).send(HTTPRequest(url: server.base + "/echo"))
        }

        guard case .transport(_, let code, let message) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(code == 60)
        #expect(message.contains("ca_file"))
        #expect(sleeps.recorded.isEmpty)
    }
}

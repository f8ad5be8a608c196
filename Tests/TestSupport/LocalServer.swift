import Foundation

/// A test server process on 127.0.0.1 (a Python stand-in, a vendor fake, a real server from
/// PyPI). It writes what it prints to a log file, announces readiness with a line the test
/// names, and is stopped with SIGTERM when the test lets go of it.
public final class LocalServer: @unchecked Sendable {
    public let pid: pid_t
    public let logFile: String
    private var stopped = false

    /// Starts `executable`; secrets go through `environment`, never through `arguments`.
    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                logFile: String? = nil) throws {
        let log = logFile ?? NSTemporaryDirectory() + "idsync-server-\(UUID().uuidString).log"
        self.logFile = log
        self.pid = try ChildProcess.spawn(executable, arguments, stdout: log, stderr: log,
                                          environment: environment)
    }

    deinit { stop() }

    /// Waits until the log holds a line starting with `prefix` and returns the rest of it; the
    /// scripted servers print "PORT 12345" once they listen.
    public func waitForLine(prefix: String, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            guard isRunning else {
                throw LocalServerError("server exited before it was ready; its log:\n\(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw LocalServerError("no line '\(prefix)…' in \(logFile) within \(timeout) s")
    }

    public var isRunning: Bool {
        var status: Int32 = 0
        return !stopped && waitpid(pid, &status, WNOHANG) == 0
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        _ = ChildProcess.waitForExit(pid)
    }

}

public struct LocalServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A throwaway CA and a server certificate for 127.0.0.1, made by openssl in `directory`.
public struct ThrowawayCertificates {
    public let caFile: String
    public let certificateFile: String
    public let keyFile: String

    public init(in directory: String) throws {
        caFile = directory + "/ca.crt"
        certificateFile = directory + "/server.crt"
        keyFile = directory + "/server.key"
        let caKey = directory + "/ca.key"
        let request = directory + "/server.csr"
        let extensions = directory + "/san.cnf"
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: extensions, atomically: true, encoding: .utf8)

        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=idsync test CA", "-keyout", caKey, "-out", caFile],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", keyFile, "-out", request],
            ["x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial",
             "-days", "2", "-extfile", extensions, "-out", certificateFile],
        ]
        for step in steps {
            let log = directory + "/openssl.log"
            let pid = try ChildProcess.spawn("openssl", step, stdout: log, stderr: log)
            guard ChildProcess.waitForExit(pid) == 0 else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw LocalServerError("openssl \(step[0]) failed: \(text)")
            }
        }
    }
}

/// A fresh private directory under the system's temporary directory.
public func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "idsync-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
    return path
}

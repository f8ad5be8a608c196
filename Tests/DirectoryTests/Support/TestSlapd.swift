import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A private slapd for one test, started by scripts/throwaway-slapd.sh on 127.0.0.1 only.
///
/// Each instance has a fresh directory under /tmp (short, for the ldapi socket path) and a free
/// high port. `stop()` (also run by deinit) sends TERM, waits until slapd is gone, and removes
/// the directory. Fails with a clear error if slapd is not installed: these tests never skip.
final class TestSlapd: @unchecked Sendable {
    let dir: String
    let url: String
    /// `ldaps://127.0.0.1:PORT/` and the throwaway CA, when started with `tls: true`.
    let ldapsURL: String?
    let caFile: String?

    let base = "dc=example,dc=org"
    let adminDN = "cn=admin,dc=example,dc=org"
    let serviceDN = "cn=idsync,ou=services,dc=example,dc=org"
    let readerDN = "cn=reader,ou=services,dc=example,dc=org"
    let adminPassword: String
    let servicePassword: String
    let readerPassword: String

    private let pid: pid_t
    private let lock = NSLock()
    private var stopped = false

    /// Starts slapd, retrying with another port if the chosen one was taken meanwhile.
    init(tls: Bool = false) throws {
        try Self.requireSlapd()
        let script = Self.script(relativeTo: #filePath)
        dir = try Self.makeTemporaryDirectory()

        var started: (pid: pid_t, port: Int, ldapsPort: Int?)?
        for attempt in 1...5 where started == nil {
            started = try Self.start(script: script, dir: dir, tls: tls, lastTry: attempt == 5)
        }
        guard let started else {
            throw TestSlapdError("no free port after 5 tries (see \(dir)/start.err)")
        }

        pid = started.pid
        url = "ldap://127.0.0.1:\(started.port)/"
        ldapsURL = started.ldapsPort.map { "ldaps://127.0.0.1:\($0)/" }
        caFile = tls ? "\(dir)/tls/ca.crt" : nil
        adminPassword = try Self.readPassword("\(dir)/admin.pw")
        servicePassword = try Self.readPassword("\(dir)/idsync.pw")
        readerPassword = try Self.readPassword("\(dir)/reader.pw")
    }

    deinit {
        stop()
    }

    /// Adds the entries in `text` (LDIF) with ldapadd as the rootdn, so overlays run.
    func loadLDIF(_ text: String) throws {
        let file = "\(dir)/load-\(UUID().uuidString).ldif"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let status = try Self.run("/usr/bin/ldapadd",
                                  ["-x", "-H", url, "-D", adminDN, "-y", "\(dir)/admin.pw",
                                   "-f", file],
                                  output: "\(dir)/load.out")
        guard status == 0 else {
            throw TestSlapdError("ldapadd exited \(status): \(Self.contents("\(dir)/load.out"))")
        }
    }

    /// Sends TERM and waits (up to 10 s, then KILL) until slapd has exited, then removes `dir`.
    /// Stops slapd answering (SIGSTOP) until `resume()`: a client waits on its replies.
    func pause() { kill(pid, SIGSTOP) }

    func resume() { kill(pid, SIGCONT) }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true

        kill(pid, SIGTERM)
        for _ in 0..<500 where !Self.hasExited(pid) {
            usleep(20_000)
        }
        if !Self.hasExited(pid) {
            print("TestSlapd: slapd \(pid) ignored TERM for 10 s; sending KILL")
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// What a finished subprocess left: its exit status and its two output streams.
struct ProcessOutput: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

struct TestSlapdError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "TestSlapd: " + description }
}

extension TestSlapd {
    static func requireSlapd() throws {
        let found = ["/usr/sbin/slapd", "/usr/local/sbin/slapd"]
            .contains { FileManager.default.isExecutableFile(atPath: $0) }
        guard found else {
            throw TestSlapdError("slapd is not installed; DirectoryTests need a real slapd. "
                                 + "Install it: apt-get install slapd ldap-utils")
        }
    }

    /// scripts/throwaway-slapd.sh, found from this file's path (`#filePath` of this file, in
    /// Tests/DirectoryTests/Support; as a default argument it would be the caller's).
    static func script(relativeTo filePath: String) -> String {
        var root = URL(fileURLWithPath: filePath)
        for _ in 0..<4 {
            root.deleteLastPathComponent()
        }
        return root.appendingPathComponent("scripts/throwaway-slapd.sh").path
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/idsync-slapd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestSlapdError("mkdtemp failed: errno \(errno)")
        }
        return String(cString: made)
    }

    /// Runs the script once. Returns nil if the port was taken (exit 3), or if slapd did not
    /// start (exit 4) for the first tries: another test's port probe can hold the port for the
    /// instant slapd binds it and be gone by the time the script looks, so a lost race looks
    /// like a failed start. A failure that stays on every try is thrown on the last.
    static func start(script: String, dir: String, tls: Bool, lastTry: Bool = true)
        throws -> (pid: pid_t, port: Int, ldapsPort: Int?)? {
        let port = try freePort()
        let ldapsPort = tls ? try freePort() : nil
        var environment: [String: String] = [:]
        if let ldapsPort {
            environment["IDSYNC_SLAPD_LDAPS_PORT"] = String(ldapsPort)
        }

        let status = try run("/bin/bash", [script, dir, String(port)],
                             output: "\(dir)/start.out", environment: environment)
        if status == 3 || (status == 4 && !lastTry) { return nil }
        guard status == 0, let pid = pid_t(contents("\(dir)/start.out")
            .trimmingCharacters(in: .whitespacesAndNewlines)) else {
            let output = contents("\(dir)/start.out")
            throw TestSlapdError("throwaway-slapd.sh exited \(status): \(output)")
        }
        return (pid, port, ldapsPort)
    }

    /// A port the kernel just handed out on 127.0.0.1 (bound to port 0, then released).
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSlapdError("socket() failed: errno \(errno)") }
        defer { close(socketFD) }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socketFD, raw, length) == 0 && getsockname(socketFD, raw, &length) == 0
            }
        }
        guard ok else { throw TestSlapdError("bind to 127.0.0.1:0 failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `tool` and waits for it; stdout and stderr go to the file `output` (slapd's daemon
    /// then holds no pipe of ours). libldap's config files and LDAP* variables are turned off.
    static func run(_ tool: String, _ arguments: [String], output: String,
                    environment: [String: String] = [:]) throws -> Int32 {
        let pid = try spawn(tool, arguments, stdout: output, stderr: output, environment: environment)
        return waitForExit(pid)
    }

    /// Runs `executable` to its end and returns its exit status (128 + signal if one ended it)
    /// with what it wrote to stdout and stderr, each kept apart.
    static func run(executable: String, arguments: [String],
                    environment: [String: String] = [:]) throws -> ProcessOutput {
        let base = NSTemporaryDirectory() + "idsync-run-\(UUID().uuidString)"
        defer { [".out", ".err"].forEach { try? FileManager.default.removeItem(atPath: base + $0) } }
        let pid = try spawn(executable, arguments, stdout: base + ".out", stderr: base + ".err",
                            environment: environment)
        let status = waitForExit(pid)
        return ProcessOutput(status: status, stdout: contents(base + ".out"), stderr: contents(base + ".err"))
    }

    /// Starts `tool` and returns its pid without waiting, as `ChildProcess.spawn` does, with
    /// libldap's config files and LDAP* variables turned off. The caller must `waitForExit`.
    static func spawn(_ tool: String, _ arguments: [String], stdout: String, stderr: String,
                      environment: [String: String] = [:]) throws -> pid_t {
        try ChildProcess.spawn(tool, arguments, stdout: stdout, stderr: stderr,
                               environment: environment.merging(["LDAPNOINIT": "1"]) { _, off in off })
    }

    static func waitForExit(_ pid: pid_t) -> Int32 { ChildProcess.waitForExit(pid) }

    static func readPassword(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// True once `pid` is gone or a zombie (its starting shell has exited; init reaps it).
    static func hasExited(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = contents("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

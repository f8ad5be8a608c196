import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting and reaping the test suites' child processes: servers, the idsync binary, tools.
///
/// posix_spawn, not Foundation's Process: Process hands the calling thread's blocked-signal
/// mask to the child, and a slapd started that way has SIGTERM blocked and never stops (seen
/// here: SigBlk included SIGTERM). Here the child gets an empty mask and default handlers.
/// waitpid also avoids Process.waitUntilExit, which hung off the main thread.
public enum ChildProcess {
    /// Starts `tool` (a path, or a name looked up on PATH) and returns its pid without
    /// waiting; stdin is /dev/null, stdout and stderr go to the files named (the same file for
    /// both is fine). `environment` is laid over this process's own. The caller must
    /// `waitForExit` the pid.
    public static func spawn(_ tool: String, _ arguments: [String], stdout: String, stderr: String,
                             environment: [String: String] = [:]) throws -> pid_t {
        let outFD = open(stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard outFD >= 0 else { throw LocalServerError("can't open \(stdout): errno \(errno)") }
        defer { close(outFD) }
        let errFD = stderr == stdout ? outFD : open(stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard errFD >= 0 else { throw LocalServerError("can't open \(stderr): errno \(errno)") }
        defer { if errFD != outFD { close(errFD) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)

        var attributes = cleanSignalAttributes()
        defer { posix_spawnattr_destroy(&attributes) }

        var inherited = ProcessInfo.processInfo.environment
        inherited.merge(environment) { _, given in given }
        return try withCStrings([tool] + arguments) { argv in
            try withCStrings(inherited.map { "\($0.key)=\($0.value)" }) { envp in
                var pid: pid_t = 0
                let rc = posix_spawnp(&pid, tool, &actions, &attributes, argv, envp)
                guard rc == 0 else { throw LocalServerError("posix_spawn \(tool) failed: \(rc)") }
                return pid
            }
        }
    }

    /// Writes a program a test runs, mode 0700. The descriptor is close-on-exec: a child that
    /// another test thread spawns while this file is open for writing would otherwise keep it
    /// open, and running the program then fails with "Text file busy" (ETXTBSY; seen here).
    public static func writeProgram(at path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o700)
        guard fd >= 0 else { throw LocalServerError("can't create \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw LocalServerError("can't write \(path): errno \(errno)") }
    }

    /// The exit status of `pid`, or 128 + signal number if a signal ended it.
    public static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Spawn attributes that give the child an empty signal mask and default dispositions.
    static func cleanSignalAttributes() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)

        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)

        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)

        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))
        return attributes
    }

    /// Calls `body` with a NULL-terminated C array of `strings`, freed afterwards.
    static func withCStrings<R>(_ strings: [String],
                                _ body: ([UnsafeMutablePointer<CChar>?]) throws -> R) rethrows -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return try body(pointers)
    }
}

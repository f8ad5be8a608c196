import Foundation
import LDAP
import Testing

/// Runs `arguments` under a pseudo-terminal (Python's pty module), types `answer` once the
/// prompt shows (nil: never answers), and returns the exit status and everything the terminal
/// showed. With `stdinFromNull`, standard input is /dev/null and only the controlling terminal
/// is one.
func runOnTerminal(_ arguments: [String], answer: String?, stdinFromNull: Bool = false) throws
    -> ProcessOutput {
    let script = """
        import os, pty, sys
        answer, null, argv = sys.argv[1].encode(), sys.argv[2] == "1", sys.argv[4:]
        answered = sys.argv[3] == "never"
        pid, fd = pty.fork()
        if pid == 0:
            if null:
                os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
            os.execv(argv[0], argv)
        seen = b""
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            seen += data
            if not answered and b"type yes" in seen:
                os.write(fd, answer + b"\\n")
                answered = True
        _, status = os.waitpid(pid, 0)
        sys.stdout.buffer.write(seen)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    return try TestSlapd.run(executable: "/usr/bin/python3",
                             arguments: ["-c", script, answer ?? "", stdinFromNull ? "1" : "0",
                                         answer == nil ? "never" : "once"] + arguments)
}

@Suite struct TerminateTerminalTests {
    func arguments(_ site: SyncFixture) -> [String] {
        [SyncFixture.binary, "terminate", "--config", site.configPath, "--employee", "000101",
         "--reason", "walked out"]
    }

    @Test func yesTypedOnTheTerminalTerminates() throws {
        let (slapd, site) = try terminateFixture()

        let output = try runOnTerminal(arguments(site), answer: "yes")

        expectStatus(output, 0)
        #expect(output.stdout.contains("type yes to terminate agarcia"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Night-shift-2026") == 49)
    }

    @Test func anythingButYesChangesNothing() throws {
        let (slapd, site) = try terminateFixture()
        let dump = try slapd.dump()

        let output = try runOnTerminal(arguments(site), answer: "y")

        expectStatus(output, 3)
        #expect(output.stdout.contains("not confirmed: nothing was changed"))
        #expect(try slapd.dump() == dump)
    }

    /// terminate holds the sync lock while it asks: a question left open must let go of it.
    @Test func anUnansweredQuestionStopsAndFreesTheLock() throws {
        let (slapd, site) = try terminateFixture()
        try site.appendConfig("terminate:\n  confirm_wait: 1s\n")
        let dump = try slapd.dump()

        let output = try runOnTerminal(arguments(site), answer: nil)

        expectStatus(output, 3)
        #expect(output.stdout.contains("no answer in 1 s (terminate.confirm_wait)"))
        #expect(try slapd.dump() == dump)
        let sync = try site.run("sync")
        #expect(sync.status != 4, "the lock is still held: \(sync.stderr)")
    }

    @Test func theControllingTerminalIsAskedWhenStandardInputIsNotOne() throws {
        let (slapd, site) = try terminateFixture()

        let output = try runOnTerminal(arguments(site), answer: "yes", stdinFromNull: true)

        expectStatus(output, 0)
        #expect(output.stdout.contains("type yes to terminate agarcia"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Night-shift-2026") == 49)
    }
}

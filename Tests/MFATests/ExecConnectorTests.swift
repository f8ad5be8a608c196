import Connectors
import Foundation
import IdentitySync
import Testing
import TestSupport

@Suite struct ExecConnectorTests {
    static let program = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("exec_program.py").path

    /// The connector on the test program, through a wrapper that names this test's state
    /// file; `mode` tells the program how to misbehave. The wrapper writes the environment
    /// it was given to `environment.txt` in `folder` (before Python or a pyenv shim adds theirs).
    func connector(mode: String = "", timeout: String = "20", passEnv: [String] = [],
                   environment: [String: String] = [:]) throws -> (MFAConnector, folder: String) {
        let dir = try makeTemporaryDirectory("exec")
        let users = ["agarcia": [["id": "K1", "type": "yubikey-fido", "kind": "webauthn", "usable": true],
                                 ["id": "T1", "type": "totp", "kind": "totp", "usable": true]]]
        let state = try JSONSerialization.data(withJSONObject: ["mode": mode, "users": users])
        FileManager.default.createFile(atPath: dir + "/state.json", contents: state)
        let wrapper = dir + "/site-mfa"
        let script = "#!/bin/sh\nenv > \(dir)/environment.txt\nEXEC_STATE=\(dir)/state.json exec python3 \(ExecConnectorTests.program)\n"
        try ChildProcess.writeProgram(at: wrapper, script)
        var values = ["program": wrapper, "timeout": timeout]
        if !passEnv.isEmpty { values["pass_env"] = passEnv.joined(separator: " ") }
        var config = MFAConfig()
        config.connectors = [MFAConnectorSettings(name: "site", type: "exec", values: values,
                                                  origin: "test.yaml:1")]
        return (try #require(try MFAConnectors.make(config, environment: environment).first), dir)
    }

    func connector(mode: String = "", timeout: String = "20") throws -> MFAConnector {
        try connector(mode: mode, timeout: timeout, passEnv: []).0
    }

    @Test func observeReadsTheProgramsAnswer() throws {
        let results = try connector().observe([ana, bob])
        let user = state(results[ana])
        #expect(user?.authenticators.map(\.kind) == [.webauthn, .totp])
        #expect(user?.hasPhishingResistantFactor == true)
        #expect(state(results[bob])?.exists == false)
    }

    @Test func revokeChangesTheProgramsSystem() throws {
        let site = try connector()
        let after = try site.perform(.revokeAuthenticators(delete: false), for: ana)
        #expect(after?.allSatisfy(\.revoked) == true)
        #expect(after?.count == 2)
        #expect(state(site.observe([ana])[ana])?.authenticators.allSatisfy { !$0.usable } == true)
        #expect(throws: MFAFailure.self) { try site.perform(.revokeSessions, for: ana) }
    }

    @Test func nonZeroExitTimeoutAndGarbageAreFailures() throws {
        let failed = try connector(mode: "fail").observe([ana])[ana]
        #expect(failure(failed)?.contains("exited with status 3: the MFA system refused") == true,
                "\(String(describing: failed))")
        let slow = try connector(mode: "slow", timeout: "2").observe([ana])[ana]
        #expect(failure(slow)?.contains("did not answer within 2.0 s") == true, "\(String(describing: slow))")
        let garbage = try connector(mode: "garbage").observe([ana])[ana]
        #expect(failure(garbage)?.contains("no JSON object") == true)
    }

    /// An answer of another shape is a failure, never "no authenticators": a leaver's
    /// revocation would otherwise be recorded complete with the token still usable.
    @Test func anAnswerOfAnotherShapeIsAFailureNotAnEmptyList() throws {
        let cases = [("serial-not-id", "agarcia: authenticator 1 has no 'id'"),
                     ("exists-yes", "agarcia: 'exists' is not true or false"),
                     ("no-list", "agarcia: the result has no 'authenticators' list")]
        for (mode, expected) in cases {
            let result = try connector(mode: mode).observe([ana])[ana]
            #expect(failure(result)?.contains(expected) == true,
                    "\(mode): \(String(describing: result))")
        }
        let site = try connector(mode: "serial-not-id")
        #expect(throws: MFAFailure.self) {
            try site.perform(.revokeAuthenticators(delete: false), for: ana)
        }
    }

    /// A revoked key is no factor, even when the program also calls it usable.
    @Test func aRevokedAuthenticatorIsNeverUsable() throws {
        let user = state(try connector(mode: "revoked-but-usable").observe([ana])[ana])
        #expect(user?.authenticators.map(\.revoked) == [true, true])
        #expect(user?.hasPhishingResistantFactor == false)
        #expect(user?.hasUsableFactor == false)
    }

    @Test func twoResultsForOneLoginFailThatSubject() throws {
        let result = try connector(mode: "twice").observe([ana])[ana]
        #expect(failure(result)?.contains("two results for agarcia") == true,
                "\(String(describing: result))")
    }

    /// idsync's own environment holds the bind password's variable and other connectors'
    /// `*_env` secrets: the program sees none of it, only the minimal set and what
    /// `pass_env` names.
    @Test func programSeesOnlyAMinimalEnvironmentAndTheNamedVariables() throws {
        setenv("IDSYNC_TEST_BIND_PASSWORD", "bind-secret-not-for-programs", 1)
        setenv("IDSYNC_TEST_SITE_TOKEN", "site-token-for-the-program", 1)
        let ours = ProcessInfo.processInfo.environment
        let (site, folder) = try connector(passEnv: ["IDSYNC_TEST_SITE_TOKEN", "IDSYNC_TEST_UNSET"],
                                           environment: ours)
        #expect(state(site.observe([ana])[ana])?.authenticators.count == 2)

        let lines = try String(contentsOfFile: folder + "/environment.txt", encoding: .utf8)
        let seen = Dictionary(lines.split(separator: "\n").map { line in
            (String(line.prefix { $0 != "=" }), String(line.drop { $0 != "=" }.dropFirst()))
        }) { first, _ in first }
        #expect(seen["IDSYNC_TEST_SITE_TOKEN"] == "site-token-for-the-program")
        #expect(seen["IDSYNC_TEST_BIND_PASSWORD"] == nil)
        #expect(!seen.values.contains("bind-secret-not-for-programs"))
        #expect(seen["IDSYNC_TEST_UNSET"] == nil)
        #expect(seen["PATH"] == ours["PATH"])

        // What the shell wrapper adds for itself (PWD, SHLVL) aside, nothing but the minimal
        // set and the named variable arrives.
        let added: Set = ["PWD", "OLDPWD", "SHLVL", "_"]
        let minimal: Set = ["PATH", "LANG", "LC_ALL", "TZ", "HOME", "IDSYNC_TEST_SITE_TOKEN"]
        #expect(Set(seen.keys).subtracting(added).subtracting(minimal).isEmpty, "\(seen.keys.sorted())")

        // HOME is an empty folder of the program's own, private to idsync's user.
        let home = try #require(seen["HOME"])
        #expect(home != ours["HOME"])
        let mode = try FileManager.default.attributesOfItem(atPath: home)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }
}

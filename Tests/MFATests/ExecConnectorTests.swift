import Connectors
import Foundation
import IdentitySync
import Testing
import TestSupport

@Suite struct ExecConnectorTests {
    static let program = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("exec_program.py").path

    /// The connector on the test program, through a wrapper that names this test's state
    /// file; `mode` tells the program how to misbehave.
    func connector(mode: String = "", timeout: String = "20") throws -> MFAConnector {
        let dir = try makeTemporaryDirectory("exec")
        let users = ["agarcia": [["id": "K1", "type": "yubikey-fido", "kind": "webauthn", "usable": true],
                                 ["id": "T1", "type": "totp", "kind": "totp", "usable": true]]]
        let state = try JSONSerialization.data(withJSONObject: ["mode": mode, "users": users])
        FileManager.default.createFile(atPath: dir + "/state.json", contents: state)
        let wrapper = dir + "/site-mfa"
        let script = "#!/bin/sh\nEXEC_STATE=\(dir)/state.json exec python3 \(ExecConnectorTests.program)\n"
        FileManager.default.createFile(atPath: wrapper, contents: Data(script.utf8),
                                       attributes: [.posixPermissions: 0o700])
        var config = MFAConfig()
        config.connectors = [MFAConnectorSettings(name: "site", type: "exec",
                                                  values: ["program": wrapper, "timeout": timeout],
                                                  origin: "test.yaml:1")]
        return try #require(try MFAConnectors.make(config, environment: [:]).first)
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
}

import Foundation
import Testing

@testable import IdentitySync

/// A fresh folder under the temporary folder, with `mode` set after creation (no umask).
private func folder(mode: mode_t = 0o700) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("idsync-state-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    #expect(chmod(path, mode) == 0)
    return path
}

/// A file holding `text`, standing for one idsync must not change (a system file).
private func victim(in folder: String, _ text: String = "root:x:0:0\n") throws -> String {
    let path = folder + "/victim"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    #expect(chmod(path, 0o644) == 0)
    return path
}

private func contents(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

private func mode(_ path: String) -> mode_t {
    var info = stat()
    _ = stat(path, &info)
    return info.st_mode & 0o7777
}

private func message(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

private func openAudit(_ path: String) throws {
    _ = try AuditLog(path: path, run: "r", actor: Actor(bindIdentity: "x", osUser: "y",
                                                        reason: nil))
}

/// `--out` and review files: a second hard link and a folder others can change are refused.
@Suite struct PrivateFileRefusalTests {
    /// `--out hard.json` used to empty and rewrite the file it was linked to, and chmod it.
    @Test func aFileWithASecondHardLinkIsRefusedAndLeftAsItIs() throws {
        let home = try folder()
        let target = try victim(in: home)
        let out = home + "/hard.json"
        #expect(link(target, out) == 0)

        let refusal = message { try PrivateFile.write("{}", to: out, role: "--out") }

        #expect(refusal?.contains("--out \(out) has 2 hard links") == true, "\(refusal ?? "")")
        #expect(try contents(target) == "root:x:0:0\n")
        #expect(mode(target) == 0o644)
    }

    @Test func aFolderOthersCanWriteIsRefusedNamingIt() throws {
        let open = try folder(mode: 0o777)

        let refusal = message {
            try PrivateFile.write("{}", to: open + "/plan.json", role: "--out")
        }

        #expect(refusal?.contains("lies in the folder \(open), which has mode 777") == true,
                "\(refusal ?? "")")
        #expect(!FileManager.default.fileExists(atPath: open + "/plan.json"))
    }

    @Test func aFolderLinkToAFolderOthersCanWriteIsRefused() throws {
        let home = try folder()
        let open = try folder(mode: 0o777)
        #expect(symlink(open, home + "/reports") == 0)

        let refusal = message {
            try PrivateFile.write("{}", to: home + "/reports/plan.json", role: "--out")
        }

        #expect(refusal?.contains("which has mode 777") == true, "\(refusal ?? "")")
        #expect(!FileManager.default.fileExists(atPath: open + "/plan.json"))
    }

    @Test func aFileOfItsOwnIsRewrittenWithMode600() throws {
        let home = try folder()
        let out = home + "/plan.json"
        try Data("old, longer content\n".utf8).write(to: URL(fileURLWithPath: out))

        try PrivateFile.write("{}", to: out, role: "--out")

        #expect(try contents(out) == "{}")
        #expect(mode(out) == 0o600)
    }
}

/// The audit log and the run lock: no link followed, no second hard link, folders checked,
/// and an audit log others can read or change refused.
@Suite struct StateFileTests {
    /// As root, idsync appended its records to whatever the link named.
    @Test func anAuditLogThatIsALinkIsRefusedAndItsTargetLeftAlone() throws {
        let home = try folder()
        let target = try victim(in: home)
        #expect(symlink(target, home + "/audit.jsonl") == 0)

        let refusal = message { try openAudit(home + "/audit.jsonl") }

        #expect(refusal?.contains("audit.path \(home)/audit.jsonl is a symbolic link") == true,
                "\(refusal ?? "")")
        #expect(try contents(target) == "root:x:0:0\n")
    }

    @Test func anAuditLogInAFolderOthersCanWriteIsRefused() throws {
        let open = try folder(mode: 0o777)

        let refusal = message { try openAudit(open + "/audit.jsonl") }

        #expect(refusal?.contains("lies in the folder \(open), which has mode 777") == true,
                "\(refusal ?? "")")
    }

    @Test func anAuditLogWithASecondHardLinkIsRefused() throws {
        let home = try folder()
        let target = try victim(in: home)
        #expect(chmod(target, 0o600) == 0)
        #expect(link(target, home + "/audit.jsonl") == 0)

        let refusal = message { try openAudit(home + "/audit.jsonl") }

        #expect(refusal?.contains("has 2 hard links") == true, "\(refusal ?? "")")
        #expect(try contents(target) == "root:x:0:0\n")
    }

    /// 0600, or 0640 for a SIEM agent's group; a log others may read or change is refused.
    @Test(arguments: [(0o644, false), (0o666, false), (0o660, false), (0o640, true),
                      (0o600, true)])
    func anExistingAuditLogIsUsedOnlyWithAPrivateMode(_ bits: Int, _ accepted: Bool) throws {
        let home = try folder()
        let path = home + "/audit.jsonl"
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode_t(bits)) == 0)

        let refusal = message { try openAudit(path) }

        if accepted {
            #expect(refusal == nil, "\(refusal ?? "")")
        } else {
            let octal = String(bits, radix: 8)
            #expect(refusal?.contains("has mode \(octal)") == true, "\(refusal ?? "")")
            #expect(refusal?.contains("chmod 600 \(path)") == true, "\(refusal ?? "")")
        }
    }

    /// A lock path that was a link had its target's content replaced by the PID.
    @Test func aLockThatIsALinkIsRefusedAndItsTargetKept() throws {
        let home = try folder()
        let target = try victim(in: home)
        #expect(symlink(target, home + "/idsync.lock") == 0)

        #expect {
            try RunLock(path: home + "/idsync.lock")
        } throws: { error in
            guard case RunLockError.refused(let problem) = error else { return false }
            return problem.contains("lock.path \(home)/idsync.lock is a symbolic link")
        }
        #expect(try contents(target) == "root:x:0:0\n")
    }

    @Test func aLockWithASecondHardLinkOrInAnOpenFolderIsRefused() throws {
        let home = try folder()
        let target = try victim(in: home)
        #expect(link(target, home + "/idsync.lock") == 0)
        let open = try folder(mode: 0o777)

        let linked = message { _ = try RunLock(path: home + "/idsync.lock") }
        let exposed = message { _ = try RunLock(path: open + "/idsync.lock") }

        #expect(linked?.contains("has 2 hard links") == true, "\(linked ?? "")")
        #expect(try contents(target) == "root:x:0:0\n")
        #expect(exposed?.contains("which has mode 777") == true, "\(exposed ?? "")")
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// A fresh folder with one file of the given mode.
private func file(_ name: String, mode: mode_t, text: String = "s3cret\n") throws -> String {
    let folder = NSTemporaryDirectory() + "idsync-protected-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/" + name
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    #expect(chmod(path, mode) == 0)
    return path
}

/// The error `body` throws, as text; nil when it throws none. Shared by the file-check tests.
func refusal(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite struct ProtectedFileTests {
    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o600 | 0o002])
    func aSecretOthersCouldReadOrWriteIsRefused(mode: Int) throws {
        let path = try file("idsync.pw", mode: mode_t(mode))

        let message = refusal {
            _ = try ProtectedFile.readSecret(path, role: "directory.password_file")
        }

        #expect(
            message?.contains("directory.password_file \(path) has mode \(String(mode, radix: 8))")
                == true,
            "\(message ?? "read")")
        #expect(message?.hasSuffix("chmod 600 \(path)") == true)
        #expect(message?.contains("s3cret") == false)
    }

    @Test func aPrivateSecretIsReadUpToItsFirstLineBreak() throws {
        #expect(
            try ProtectedFile.readSecret(try file("a.pw", mode: 0o600, text: "pw\r\nx"), role: "r")
                == "pw")
        #expect(
            try ProtectedFile.readSecret(try file("b.pw", mode: 0o400, text: "pw"), role: "r")
                == "pw")
    }

    @Test func aLinkToAWorldReadableSecretIsRefusedNamingItsTarget() throws {
        let target = try file("real.pw", mode: 0o644)
        let link = (target as NSString).deletingLastPathComponent + "/link.pw"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let message = refusal {
            _ = try ProtectedFile.readSecret(link, role: "directory.password_file")
        }

        #expect(
            message?.contains("\(link) (a link to \(target)) has mode 644") == true,
            "\(message ?? "read")")
        #expect(message?.hasSuffix("chmod 600 \(target)") == true)
    }

    @Test func aGroupWritableConfigIsRefused() throws {
        let config = try ConfigFile()
        #expect(chmod(config.path, 0o664) == 0)

        let message = refusal { _ = try ConfigLoader.load(path: config.path) }

        #expect(
            message?.contains("\(config.path) has mode 664: other users could change it") == true,
            "\(message ?? "loaded")")
        #expect(message?.hasSuffix("chmod go-w \(config.path)") == true)
    }

    @Test func aWorldWritableMappingIsRefused() throws {
        let roles = try file(
            "roles.yaml", mode: 0o666,
            text: try String(contentsOfFile: Fixtures.path("mappings/roles.yaml"), encoding: .utf8))
        let config = try ConfigFile(
            replacing: "roles: \(Fixtures.path("mappings"))/roles.yaml",
            with: "roles: \(roles)")

        let message = refusal { _ = try ConfigLoader.load(path: config.path) }

        #expect(message?.contains("\(roles) has mode 666") == true, "\(message ?? "loaded")")
    }

    @Test func aWorldReadablePasswordFileStopsTheStart() throws {
        let config = try ConfigFile()
        let secret = (config.path as NSString).deletingLastPathComponent + "/secret.pw"
        try "pw\n".write(toFile: secret, atomically: false, encoding: .utf8)
        #expect(chmod(secret, 0o644) == 0)
        let loaded = try ConfigLoader.load(path: config.path)

        let message = refusal { try loaded.checkReferencedFiles() }

        #expect(
            message?.contains("directory.password_file \(secret) has mode 644") == true,
            "\(message ?? "ok")")
        #expect(chmod(secret, 0o600) == 0)
        try loaded.checkReferencedFiles()
    }
}

@Suite struct ConfigHashTests {
    @Test func theHashCoversTheConfigAndEveryMappingItLoaded() throws {
        let config = try ConfigLoader.load(path: ConfigFile().path)

        #expect(config.files.count == 4)
        #expect(
            config.files.dropFirst().map { ($0 as NSString).lastPathComponent }
                == ["bamboohr.yaml", "accounts.yaml", "roles.yaml"])
        #expect(config.hash.hasPrefix("sha256:") && config.hash.count == 7 + 64)
        #expect(try ConfigLoader.load(path: ConfigFile().path).hash == config.hash)
    }

    @Test func aChangedMappingChangesTheHash() throws {
        let text = try String(contentsOfFile: Fixtures.path("mappings/roles.yaml"), encoding: .utf8)
        let roles = try file("roles.yaml", mode: 0o644, text: text + "\n# one more line\n")
        let changed = try ConfigFile(
            replacing: "roles: \(Fixtures.path("mappings"))/roles.yaml",
            with: "roles: \(roles)")

        #expect(
            try ConfigLoader.load(path: changed.path).hash
                != ConfigLoader.load(path: ConfigFile().path).hash)
    }

    @Test func thePlanShowsTheHash() throws {
        var config = Fixtures.config()
        config.hash = "sha256:" + String(repeating: "ab", count: 32)
        let plan = SyncRun(
            config: config, instant: Fixtures.instant("2026-12-01T17:00:00Z"), override: nil
        )
        .plan(feed: Fixtures.feed([Fixtures.person("000001")]), directory: Fixtures.directory([]))

        #expect(plan.configHash == config.hash)
        #expect(TextReport.render(plan).contains("\nconfig: \(config.hash)\n"))
        #expect(try JSONReport.render(plan).contains("\"configHash\" : \"\(config.hash)\""))
    }
}

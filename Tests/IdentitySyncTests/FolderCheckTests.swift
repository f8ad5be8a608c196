import Foundation
import Testing

@testable import IdentitySync

/// A fresh folder of the given mode under the temporary folder, owned by `owner` if given.
private func folder(mode: mode_t, owner: uid_t? = nil, in parent: String? = nil) throws -> String {
    let base = parent.map { $0 + "/" } ?? NSTemporaryDirectory()
    let path = base + "idsync-folder-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    #expect(chmod(path, mode) == 0)
    if let owner { #expect(chown(path, owner, gid_t.max) == 0) }
    return path
}

/// A private secret file in `folder`.
private func secret(in folder: String, name: String = "bind.pw") throws -> String {
    let path = folder + "/" + name
    try "s3cret\n".write(toFile: path, atomically: false, encoding: .utf8)
    #expect(chmod(path, 0o600) == 0)
    return path
}

private func refusal(of path: String) -> String? {
    do {
        _ = try ProtectedFile.readSecret(path, role: "directory.password_file")
        return nil
    } catch {
        return "\(error)"
    }
}

/// The user nobody's id, to own folders and links that are not ours (the tests run as root
/// on the build machines; elsewhere chown fails and those tests are skipped).
private let nobody: uid_t = 65534
private let mayChown = geteuid() == 0

@Suite struct FolderCheckTests {
    @Test(arguments: [0o777, 0o775, 0o757, 0o770])
    func aSecretInAFolderOthersCanWriteIsRefusedNamingTheFolder(mode: Int) throws {
        let open = try folder(mode: mode_t(mode))
        let path = try secret(in: open)

        let message = refusal(of: path)

        #expect(
            message?.contains("directory.password_file \(path) lies in the folder \(open), "
                + "which has mode \(String(mode, radix: 8)): other users could put another file "
                + "in its place") == true,
            "\(message ?? "read")")
        #expect(message?.hasSuffix("chmod go-w \(open)") == true)
        #expect(chmod(open, 0o755) == 0)
        #expect(refusal(of: path) == nil)
    }

    @Test func aFolderOthersCanWriteHigherUpIsRefusedToo() throws {
        let open = try folder(mode: 0o777)
        let inner = try folder(mode: 0o700, in: open)
        let path = try secret(in: inner)

        let message = refusal(of: path)

        #expect(message?.contains("lies in the folder \(open), which has mode 777") == true,
                "\(message ?? "read")")
    }

    @Test func aStickyFolderLikeTmpIsNoRiskForAnEntryOfOurOwn() throws {
        let sticky = try folder(mode: 0o1777)
        let path = try secret(in: sticky)

        #expect(refusal(of: path) == nil)
        #expect(try ProtectedFile.readSecret(path, role: "r") == "s3cret")
    }

    @Test(.enabled(if: mayChown))
    func aLinkAnotherUserOwnsInAStickyFolderIsRefused() throws {
        let safe = try folder(mode: 0o755)
        let path = try secret(in: safe)
        let sticky = try folder(mode: 0o1777)
        let link = sticky + "/bind.pw"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(lchown(link, nobody, gid_t.max) == 0)

        let message = refusal(of: link)

        #expect(
            message?.contains("is reached through \(link), which belongs to nobody and lies in "
                + "\(sticky) (mode 1777, anyone may add files)") == true,
            "\(message ?? "read")")
        #expect(message?.hasSuffix("move the file out of \(sticky)") == true)
    }

    @Test(.enabled(if: mayChown))
    func aFolderAnotherUserOwnsIsRefused() throws {
        let theirs = try folder(mode: 0o755, owner: nobody)
        let path = try secret(in: theirs)

        let message = refusal(of: path)

        #expect(
            message?.contains("lies in the folder \(theirs), which belongs to nobody: that user "
                + "could put another file in its place") == true,
            "\(message ?? "read")")
        #expect(message?.hasSuffix("chown root \(theirs), or move the file") == true)
    }

    @Test(.enabled(if: mayChown))
    func aFolderOfTheFilesOwnerIsAccepted() throws {
        let theirs = try folder(mode: 0o755, owner: nobody)
        let path = try secret(in: theirs)
        #expect(chown(path, nobody, gid_t.max) == 0)

        #expect(refusal(of: path) == nil)
    }

    @Test func aLinkInAFolderOthersCanWriteIsRefusedThoughItsTargetIsSafe() throws {
        let safe = try folder(mode: 0o755)
        let path = try secret(in: safe)
        let open = try folder(mode: 0o777)
        let link = open + "/bind.pw"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)

        let message = refusal(of: link)

        #expect(message?.contains("lies in the folder \(open), which has mode 777") == true,
                "\(message ?? "read")")
    }

    @Test func aCAFileInAFolderOthersCanWriteStopsTheStart() throws {
        let config = try ConfigFile()
        _ = try secret(in: (config.path as NSString).deletingLastPathComponent, name: "secret.pw")
        let open = try folder(mode: 0o777)
        let ca = open + "/ca.pem"
        try "cert\n".write(toFile: ca, atomically: false, encoding: .utf8)
        var loaded = try ConfigLoader.load(path: config.path)
        loaded.directory.caFile = ca

        let message = refusal { try loaded.checkReferencedFiles() }

        #expect(message?.contains("directory.ca_file \(ca) lies in the folder \(open)") == true,
                "\(message ?? "ok")")
    }

    @Test func aFeedInAFolderOthersCanWriteIsRefused() throws {
        let file = try FeedFile(CSVFeedTests.bambooHeader)
        let folder = (file.path as NSString).deletingLastPathComponent
        #expect(chmod(folder, 0o777) == 0)

        let message = refusal { _ = try file.read(layout: "bamboohr") }

        #expect(
            message?.contains("feed file (feed.path) \(file.path) lies in the folder \(folder)")
                == true,
            "\(message ?? "read")")
    }
}

@Suite struct NotARegularFileTests {
    @Test func aFeedThatIsAFolderIsNamedAndRefused() throws {
        let path = try folder(mode: 0o755)

        let message = refusal { _ = try FeedFile(existing: path).read(layout: "bamboohr") }

        #expect(message == "feed file (feed.path) \(path) is a folder, not a regular file; "
                    + "idsync reads only regular files there: give the path of the file itself")
    }

    @Test func aFeedThatIsAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = try folder(mode: 0o755) + "/export.csv"
        #expect(mkfifo(path, 0o600) == 0)

        let message = refusal { _ = try FeedFile(existing: path).read(layout: "bamboohr") }

        #expect(message?.contains("\(path) is a FIFO (named pipe), not a regular file") == true,
                "\(message ?? "read")")
    }

    @Test func aFeedThatIsADeviceIsRefusedRatherThanReadForever() throws {
        let message = refusal { _ = try FeedFile(existing: "/dev/zero").read(layout: "bamboohr") }

        #expect(message?.contains("/dev/zero is a character device, not a regular file") == true,
                "\(message ?? "read")")
    }

    @Test func aCAFileThatIsAFIFOIsRefusedAtTheStart() throws {
        let config = try ConfigFile()
        _ = try secret(in: (config.path as NSString).deletingLastPathComponent, name: "secret.pw")
        let ca = try folder(mode: 0o755) + "/ca.pem"
        #expect(mkfifo(ca, 0o644) == 0)
        var loaded = try ConfigLoader.load(path: config.path)
        loaded.directory.caFile = ca

        let message = refusal { try loaded.checkReferencedFiles() }

        #expect(message == "directory.ca_file \(ca) is a FIFO (named pipe), not a regular file; "
                    + "idsync reads only regular files there: give the path of the file itself")
    }

    @Test func aSecretThatIsAFolderIsRefused() throws {
        let path = try folder(mode: 0o700)

        #expect(refusal(of: path)?.contains("\(path) is a folder, not a regular file") == true)
    }
}

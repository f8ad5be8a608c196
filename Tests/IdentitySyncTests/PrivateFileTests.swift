import Foundation
import Testing

@testable import IdentitySync

@Suite struct PrivateFileTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "idsync-out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func refusal(writing path: String) -> String? {
        do {
            try PrivateFile.write("plan\n", to: path, role: "--out")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aReportIsWrittenPrivate() throws {
        let path = try folder() + "/plan.txt"

        try PrivateFile.write("plan\n", to: path, role: "--out")

        #expect(try String(contentsOfFile: path, encoding: .utf8) == "plan\n")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == 0o600)
    }

    /// The refusal is on purpose; it used to come out as "Too many levels of symbolic links".
    @Test func aLinkIsRefusedSayingWhatItIsAndWhatToDo() throws {
        let base = try folder()
        let target = base + "/elsewhere.txt"
        try "kept\n".write(toFile: target, atomically: false, encoding: .utf8)
        let link = base + "/plan.txt"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let message = refusal(writing: link)

        #expect(message == "--out \(link) is a symbolic link (to \(target)); idsync does not "
                    + "write through links, on purpose: the file names people, and a link could "
                    + "send it anywhere. Give the path of a file of your own instead")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "kept\n")
    }

    @Test func aFIFOWithNoReaderIsRefusedAtOnce() throws {
        let path = try folder() + "/plan.fifo"
        #expect(mkfifo(path, 0o600) == 0)

        #expect(refusal(writing: path) == "--out \(path) is a FIFO (named pipe), not a regular "
                    + "file; idsync writes only regular files: give a file's path")
    }

    @Test func aFolderIsNamedAsOne() throws {
        let path = try folder()

        #expect(refusal(writing: path)?.hasPrefix("--out \(path) is a folder, not a regular file")
                    == true)
    }
}

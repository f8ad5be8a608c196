import Foundation
import Testing

@testable import IdentitySync

#if canImport(Glibc)
    import Glibc
#endif

/// The monitoring files are replaced through a temporary file of a predictable name
/// (`.NAME.PID.tmp`): something placed at that name beforehand is never written through.
@Suite struct MonitoringFileTests {
    @Test func aHardLinkAtTheTemporaryNameIsNotWrittenThrough() throws {
        let folder = FileManager.default.temporaryDirectory.path
            + "/idsync-monitoring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let victim = folder + "/victim.txt"
        try "keep".write(toFile: victim, atomically: false, encoding: .utf8)
        #expect(link(victim, folder + "/.status.json.\(getpid()).tmp") == 0)

        try RunMonitor.replace(folder + "/status.json", with: "{}")

        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(try String(contentsOfFile: folder + "/status.json", encoding: .utf8) == "{}")
    }
}

import Foundation
import Testing

/// A metrics file that cannot be written printed a line and exited 0, so cron never alerted
/// and monitoring saw the run as missing. It now exits 1, after the writes, which it never
/// stops.
@Suite struct MonitoringFailureTests {
    @Test func anUnwritableMetricsFileMakesASuccessfulSyncExitOneAfterItsWrites() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        // A folder that is not there, as /var/lib/prometheus is not writable under the unit.
        let metrics = site.dir + "/node-exporter/idsync.prom"
        try site.editConfig("lock:\n", "monitoring:\n  metrics_file: \(metrics)\nlock:\n")
        try site.writeFeed(tenClerks)

        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stderr.contains("cannot write the monitoring file \(metrics)"),
                "\(output.stderr)")
        #expect(output.stderr.contains("The directory changes were made"))
        #expect(try slapd.entries("(employeeNumber=*)").count == 10)
        let end = try #require(try site.auditRecords().last)
        #expect(end["event"] as? String == "run-end")
        #expect(end["exitCode"] as? Int == 1)
        #expect(end["result"] as? String == "partial")

        // A run that stopped keeps its own code.
        try site.writeFeed([])
        expectStatus(try site.run("sync"), 3)
    }
}

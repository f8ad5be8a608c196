import Foundation
import LDAP
import Testing
#if canImport(Glibc)
    import Glibc
#endif

extension SyncFixture {
    /// Replaces `old` (which must be there) with `new` in idsync.yaml.
    func editConfig(
        _ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        #expect(text.contains(old), "the config has no '\(old)'", sourceLocation: sourceLocation)
        try text.replacingOccurrences(of: old, with: old == new ? old : new)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// feed.max_age for this site.
    func limitFeedAge(_ age: String) throws {
        try editConfig(
            "  missing_person: leaver\n", "  missing_person: leaver\n  max_age: \(age)\n")
    }

    /// A copy of the BambooHR layout that declares a `#TRAILER,rows=N,exported=…` trailer.
    func useTrailerLayout() throws {
        let layout = dir + "/bamboohr-trailer.yaml"
        let base = try String(
            contentsOfFile: SyncFixture.packageRoot + "/mappings/bamboohr.yaml", encoding: .utf8)
        try
            (base
            + "export_stamp:\n  trailer: {prefix: \"#TRAILER\", rows: rows, exported: exported}\n")
            .write(toFile: layout, atomically: true, encoding: .utf8)
        try editConfig(
            "  layout: \(SyncFixture.packageRoot)/mappings/bamboohr.yaml\n", "  layout: \(layout)\n"
        )
    }

    /// Writes the feed with a trailer stating `rows` rows and an export `hoursAgo` hours ago.
    func writeFeed(_ rows: [HRRow], trailerRows: Int, exportedHoursAgo hours: Double) throws {
        let exported = ISO8601DateFormatter().string(
            from: Date(timeIntervalSinceNow: -hours * 3600))
        let text =
            ([HRRow.header] + rows.map(\.csvLine) + [
                "#TRAILER,rows=\(trailerRows),exported=\(exported)"
            ])
            .joined(separator: "\n") + "\n"
        try text.write(toFile: feedPath, atomically: true, encoding: .utf8)
    }

    /// Writes the feed as an export that lacks the column `missing`, header and rows alike.
    func writeFeed(_ rows: [HRRow], without missing: String) throws {
        let header = HRRow.header.split(separator: ",", omittingEmptySubsequences: false)
        let index = try #require(header.firstIndex { $0 == missing })
        let lines = ([HRRow.header] + rows.map(\.csvLine)).map { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields.count == header.count, "a value with a comma: \(line)")
            fields.remove(at: index)
            return fields.joined(separator: ",")
        }
        try (lines.joined(separator: "\n") + "\n")
            .write(toFile: feedPath, atomically: true, encoding: .utf8)
    }

    /// Sets the feed file's modification time `hours` hours back.
    func ageFeed(hours: Double) {
        let then = time_t(Date().timeIntervalSince1970 - hours * 3600)
        var times = [timespec(tv_sec: then, tv_nsec: 0), timespec(tv_sec: then, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, feedPath, &times, 0) == 0)
    }
}

/// Inputs that cannot be trusted (a stale or cut feed, files others could change) stop idsync
/// before it writes; a sync that ran leaves its status for monitoring.
@Suite struct InputTrustTests {
    @Test func aFeedOlderThanMaxAgeStopsTheRunBeforePlanning() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.limitFeedAge("26h")
        try site.writeFeed(tenClerks)
        site.ageFeed(hours: 30)
        let before = try slapd.dump()

        let output = try site.run("sync")

        expectStatus(output, 3)
        #expect(
            output.stderr.contains("the feed is stale: \(site.feedPath) was modified "),
            "\(output.stderr)")
        #expect(output.stderr.contains("it is 1d 6h old, and feed.max_age is 1d 2h"))
        #expect(!output.stdout.contains("joiners"), "no plan is made")
        #expect(try slapd.dump() == before)
        let validate = try site.run("validate")
        expectStatus(validate, 3)
        #expect(validate.stdout.contains("feed age: 1d 6h (modified "), "\(validate.stdout)")

        site.ageFeed(hours: 2)
        expectStatus(try site.run("sync"), 0)
    }

    /// A locum whose contract ended is disabled; the next export lacks the Contract End Date
    /// column. Read as empty, it would re-enable the locum as a rehire: the run stops before
    /// any write instead, and validate stops on it too.
    @Test func anExportWithoutAColumnTheLayoutMapsStopsTheRunAndWritesNothing() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd, guards: SyncFixture.roomyGuards)
        var locum = HRRow(
            id: "000106", first: "Omar", last: "Haddad", title: "Locum Physician", jobCode: "MD01",
            department: "Cardiology", workerType: "Locum", contractEnd: "12/31/2026",
            manager: "000110")
        try site.writeFeed([chief, nurse, locum])
        expectStatus(try site.run("sync"), 0)
        locum.contractEnd = "11/15/2026"
        try site.writeFeed([chief, nurse, locum])
        expectStatus(try site.run("sync"), 0)
        let locked = { try slapd.entries("(pwdAccountLockedTime=*)").map { $0.first("uid") } }
        #expect(try locked() == ["ohaddad"])
        try site.writeFeed([chief, nurse, locum], without: "Contract End Date")
        let before = try slapd.dump()

        let output = try site.run("sync")

        expectStatus(output, 3)
        #expect(
            output.stderr.contains("\(site.feedPath):1: the header lacks 'Contract End Date' "
                                   + "(contract_end_date) that the layout bamboohr maps"),
            "\(output.stderr)")
        #expect(output.stderr.contains("optional_columns"))
        #expect(!output.stdout.contains("rehire"), "no plan is made")
        #expect(try slapd.dump() == before)
        #expect(try locked() == ["ohaddad"])
        let validate = try site.run("validate")
        expectStatus(validate, 3)
        #expect(validate.stderr.contains("'Contract End Date'"), "\(validate.stderr)")
    }

    @Test func aTrailerThatCountsOtherRowsStopsTheRunAndNothingOverridesIt() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.useTrailerLayout()
        try site.writeFeed(tenClerks, trailerRows: 11, exportedHoursAgo: 1)
        let before = try slapd.dump()

        let output = try site.run("sync", ["--allow-changes", "100", "--reason", "try anyway"])

        expectStatus(output, 3)
        #expect(
            output.stderr.contains(
                "\(site.feedPath):12: the export record says 11 rows and 10 were read"),
            "\(output.stderr)")
        #expect(try slapd.dump() == before)
    }

    @Test func aTrailerExportedTooLongAgoStopsTheRunAndAFreshOneApplies() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.useTrailerLayout()
        try site.limitFeedAge("26h")
        try site.writeFeed(tenClerks, trailerRows: 10, exportedHoursAgo: 27)
        let before = try slapd.dump()

        let stale = try site.run("sync")

        expectStatus(stale, 3)
        #expect(
            stale.stderr.contains(
                "per its trailer record: it is 1d 3h old, and feed.max_age is 1d 2h"),
            "\(stale.stderr)")
        #expect(try slapd.dump() == before)

        try site.writeFeed(tenClerks, trailerRows: 10, exportedHoursAgo: 1)
        expectStatus(try site.run("sync"), 0)
        #expect(try slapd.entries("(employeeNumber=*)").count == 10)
    }

    @Test func aWorldReadablePasswordFileIsRefusedAtStart() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let secret = slapd.dir + "/idsync.pw"
        #expect(chmod(secret, 0o644) == 0)
        defer { chmod(secret, 0o600) }

        let output = try site.run("sync")

        expectStatus(output, 2)
        #expect(output.stderr.contains("directory.password_file \(secret) has mode 644"))
        #expect(output.stderr.contains("chmod 600 \(secret)"))
        #expect(!output.stderr.contains(slapd.servicePassword))
        #expect(
            !FileManager.default.fileExists(atPath: site.auditPath),
            "refused before the audit log is opened")
    }

    @Test func aGroupWritableConfigIsRefusedAtStart() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        #expect(chmod(site.configPath, 0o664) == 0)

        let output = try site.run("plan")

        expectStatus(output, 2)
        #expect(
            output.stderr.contains("\(site.configPath) has mode 664: other users could change it"))
        #expect(output.stderr.contains("chmod go-w \(site.configPath)"))
    }

    @Test func theConfigHashIsInThePlanAndOnEveryAuditRecord() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)

        let plan = try site.run("plan")
        let json = try site.run("plan", ["--format", "json"])
        expectStatus(try site.run("sync"), 0)

        let line = try #require(
            plan.stdout.split(separator: "\n").first { $0.hasPrefix("config: sha256:") })
        let hash = String(line.dropFirst("config: ".count))
        #expect(hash.count == 7 + 64)
        #expect(json.stdout.contains("\"configHash\" : \"\(hash)\""))
        let records = try site.auditRecords()
        #expect(records.count > 10)
        #expect(records.allSatisfy { $0["configHash"] as? String == hash })
    }

    @Test func aSyncLeavesItsStatusAndMetricsAndAStoppedOneOnlyItsExitCode() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        let status = site.dir + "/status.json"
        let metrics = site.dir + "/idsync.prom"
        try site.editConfig(
            "lock:\n", "monitoring:\n  status_file: \(status)\n  metrics_file: \(metrics)\nlock:\n")
        try site.writeFeed(tenClerks)

        expectStatus(try site.run("sync"), 0)

        let run = try #require(try site.changeRecords().last?["run"] as? String)
        let hash = try #require(try site.changeRecords().last?["configHash"] as? String)
        let state = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: status)))
                as? [String: Any])
        #expect(state["run"] as? String == run)
        #expect(state["exitCode"] as? Int == 0)
        #expect(state["configHash"] as? String == hash)
        #expect((state["changes"] as? [String: Int])?["create-account"] == 10)
        #expect((state["feedAgeSeconds"] as? Double).map { $0 < 600 } == true)
        let success = try #require(state["lastSuccessSeconds"] as? Double)
        #expect(abs(success - Date().timeIntervalSince1970) < 600)
        let text = TestSlapd.contents(metrics)
        #expect(text.contains("\nidsync_last_run_exit_code 0\n"))
        #expect(text.contains("\nidsync_changes_total{kind=\"create-account\"} 10\n"))
        #expect(
            text.contains("\nidsync_last_success_timestamp_seconds \(metricNumber(success))\n"),
            "\(text)")
        #expect(text.contains("\nidsync_feed_age_seconds "))

        try site.writeFeed([])
        expectStatus(try site.run("sync"), 3)

        let after = TestSlapd.contents(metrics)
        #expect(after.contains("\nidsync_last_run_exit_code 3\n"))
        #expect(
            after.contains("\nidsync_last_success_timestamp_seconds \(metricNumber(success))\n"))
        #expect(after.contains("\nidsync_changes_total{kind=\"create-account\"} 10\n"))
        let unchanged = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: status)))
        #expect(
            (unchanged as? [String: Any])?["run"] as? String == run, "a stopped run is no success")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.dir).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
    }
}

/// A metric value as the metrics file writes it.
private func metricNumber(_ value: Double) -> String {
    value == value.rounded() ? String(Int64(value)) : String(value)
}

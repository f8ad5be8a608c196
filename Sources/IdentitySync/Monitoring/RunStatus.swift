import Foundation

/// Where a sync leaves its status for monitoring (`monitoring:` in idsync.yaml).
public struct MonitoringConfig: Sendable {
    /// A JSON file rewritten after each sync that completed (exit 0 or 1).
    public var statusFile: String?
    /// A Prometheus textfile-collector file rewritten after every sync, failed ones too.
    public var metricsFile: String?

    public init(statusFile: String? = nil, metricsFile: String? = nil) {
        self.statusFile = statusFile
        self.metricsFile = metricsFile
    }
}

/// What one sync leaves for monitoring, whether or not it completed.
public struct RunFacts: Sendable {
    public var run: String
    public var finished: Date
    public var exitCode: Int32
    /// The changes applied without error, by kind; empty for a run that stopped.
    public var applied: [ChangeKind: Int] = [:]
    /// Changes that failed, were skipped or have an unknown outcome.
    public var failed = 0
    public var feedAge: TimeInterval?
    public var configHash: String

    public init(run: String, finished: Date, exitCode: Int32, configHash: String) {
        self.run = run
        self.finished = finished
        self.exitCode = exitCode
        self.configHash = configHash
    }

    /// Exit 0 and 1 ran to the end: the leavers of that night were processed.
    public var completed: Bool { exitCode == 0 || exitCode == 1 }

    public mutating func count(_ outcomes: [ChangeOutcome]) {
        for outcome in outcomes {
            if outcome.succeeded {
                applied[outcome.change.kind, default: 0] += 1
            } else {
                failed += 1
            }
        }
    }
}

/// The status file: the last completed sync, and the changes of every completed sync it
/// has seen added up (the counter behind `idsync_changes_total`).
public struct RunStatus: Codable, Sendable, Equatable {
    public var schema = 1
    public var lastSuccess: String
    public var lastSuccessSeconds: Double
    public var run: String
    public var exitCode: Int32
    public var changes: [String: Int]
    public var failedChanges: Int
    public var feedAgeSeconds: Double?
    public var configHash: String
    public var changesTotal: [String: Int]

    /// The status after `facts`, a completed run, carrying the totals of `previous` forward.
    public init(_ facts: RunFacts, previous: RunStatus?) {
        lastSuccess = AuditLog.timestamp(facts.finished)
        lastSuccessSeconds = (facts.finished.timeIntervalSince1970 * 1000).rounded() / 1000
        run = facts.run
        exitCode = facts.exitCode
        changes = Dictionary(
            uniqueKeysWithValues: facts.applied.map { ($0.key.rawValue, $0.value) })
        failedChanges = facts.failed
        feedAgeSeconds = facts.feedAge.map { $0.rounded() }
        configHash = facts.configHash
        changesTotal = previous?.changesTotal ?? [:]
        for (kind, count) in changes { changesTotal[kind, default: 0] += count }
    }
}

/// Writes the status and metrics files, each through a temporary file in the same folder
/// and a rename, so that a reader never sees half a file.
public enum RunMonitor {
    /// Records `facts`. The status file changes only when the run completed; the metrics
    /// file always, its last-success figures then coming from the status file.
    public static func record(_ facts: RunFacts, config: MonitoringConfig) throws {
        let previous = config.statusFile.flatMap(readStatus)
        var status = previous
        if facts.completed {
            status = RunStatus(facts, previous: previous)
            if let path = config.statusFile {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                try replace(
                    path, with: String(decoding: try encoder.encode(status), as: UTF8.self) + "\n")
            }
        }
        if let path = config.metricsFile {
            try replace(path, with: metrics(facts, status: status))
        }
    }

    static func readStatus(_ path: String) -> RunStatus? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunStatus.self, from: data)
    }

    /// The textfile-collector text (Prometheus exposition format 0.0.4).
    public static func metrics(_ facts: RunFacts, status: RunStatus?) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { text += "\(name)\(labels) \(number(value))\n" }
        }
        metric(
            "idsync_last_success_timestamp_seconds", "gauge",
            "When the last sync that completed (exit 0 or 1) ended; 0 if none has.",
            [("", status?.lastSuccessSeconds ?? 0)])
        metric(
            "idsync_last_run_timestamp_seconds", "gauge",
            "When the last sync ended, whatever its exit code.",
            [("", (facts.finished.timeIntervalSince1970 * 1000).rounded() / 1000)])
        metric(
            "idsync_last_run_exit_code", "gauge",
            "The exit code of the last sync (0 ok, 1 partial, 2 config, "
                + "3 stopped before writing, 4 locked).", [("", Double(facts.exitCode))])
        let kinds = ChangeKind.allCases.map(\.rawValue)
        metric(
            "idsync_changes_total", "counter",
            "Changes applied by completed syncs, by kind, since the status "
                + "file was created.",
            kinds.map { ("{kind=\"\($0)\"}", Double(status?.changesTotal[$0] ?? 0)) })
        metric(
            "idsync_last_run_changes", "gauge", "Changes the last completed sync applied, by kind.",
            kinds.map { ("{kind=\"\($0)\"}", Double(status?.changes[$0] ?? 0)) })
        metric(
            "idsync_last_run_failed_changes", "gauge",
            "Changes the last completed sync could not apply (failed, skipped or unknown).",
            [("", Double(status?.failedChanges ?? 0))])
        if let age = facts.feedAge {
            metric(
                "idsync_feed_age_seconds", "gauge",
                "Age of the feed the last sync read, when it read it.",
                [("", age.rounded())])
        }
        return text
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Writes `text` to a temporary file beside `path`, flushes it, and renames it over `path`.
    static func replace(_ path: String, with text: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary =
            (folder.isEmpty ? "." : folder)
            + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        // The name is predictable: whatever someone placed there (a hard link to another file)
        // is taken away first, and the file is made afresh or not at all, never written through.
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw MonitoringError(path: path, step: "create \(temporary)", errorNumber: errno)
        }
        var ok = true
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while ok && offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                ok = written > 0
                offset += max(written, 0)
            }
        }
        let code = errno
        ok = ok && fchmod(fd, 0o644) == 0 && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let failure = ok ? errno : code
            unlink(temporary)
            throw MonitoringError(path: path, step: "write", errorNumber: failure)
        }
    }
}

/// A status or metrics file could not be written. The directory work is done by then; a
/// run that would have exited 0 exits 1, and the message says what monitoring will miss.
public struct MonitoringError: Error, CustomStringConvertible {
    public let path: String
    public let step: String
    public let errorNumber: Int32

    public var description: String {
        let reason = String(cString: strerror(errorNumber))
        return "cannot write the monitoring file \(path) (\(step): \(reason)); "
            + "monitoring will see this run as missing. The directory changes were made; make "
            + "the file's folder writable by idsync (under systemd, list it in ReadWritePaths)"
    }
}

import Foundation

/// Who ran the job: the bind identity, the OS user, and the operator's reason or ticket.
public struct Actor: Sendable, Codable, Equatable {
    public let bindIdentity: String
    public let osUser: String
    public let reason: String?
    /// The change ticket an operator named (`--ticket`), where there is one.
    public var ticket: String?
    /// For `apply --plan`: the saved plan's content hash, and who approved it.
    public var plan: String?
    public var approvedBy: String?

    public init(bindIdentity: String, osUser: String, reason: String?, ticket: String? = nil,
                plan: String? = nil, approvedBy: String? = nil) {
        self.bindIdentity = bindIdentity
        self.osUser = osUser
        self.reason = reason
        self.ticket = ticket
        self.plan = plan
        self.approvedBy = approvedBy
    }
}

/// One line of the audit log: a run's start, summary or end, or one change attempted.
public struct AuditRecord: Codable, Sendable {
    public var time: String
    public var run: String
    public var event: String
    public var actor: Actor
    public var action: String?
    public var employeeID: String?
    public var dn: String?
    public var target: String?
    public var before: [String: [String]]?
    public var after: [String: [String]]?
    /// Who approved the change where a person did (`idsync adopt --apply --approved-by`).
    public var approvedBy: String?
    public var reason: String?
    public var result: String?
    public var error: DirectoryFailure?
    public var summary: PlanSummary?
    public var detail: String?
    /// The hash of the config and mappings the run loaded (`Config.hash`).
    public var configHash: String?
    /// On a run-end record: the exit code the command returns (see README, exit codes).
    public var exitCode: Int32?
    /// On a run-start record: a run before this one that began and never ended (killed or
    /// crashed), found in the lock file.
    public var unfinishedRun: String?
}

/// The append-only JSON-lines audit log a SIEM ingests. It is never read back.
///
/// The file is created with mode 0600 and opened for append; each record is one line, and
/// a batch of records one `write`, so a crash leaves whole records behind (a full disk may
/// cut the last one short). `appendAttempts` flushes to the disk before it returns: the
/// executor calls it before it sends the changes it names, so that no change is made
/// without a record on disk that it was about to be.
public final class AuditLog {
    public let path: String
    let run: String
    let actor: Actor
    let configHash: String?
    private let fd: Int32
    /// Records kept back by `appendLater`: they go out ahead of the next record written,
    /// at `flush`, or once they pass `laterLimit` bytes.
    private var later = ""
    /// The actor as JSON: the same in every record of the log, so rendered once.
    private lazy var actorJSON = AuditLine.render(actor)
    static let laterLimit = 1 << 16

    public convenience init(path: String, run: String, actor: Actor,
                            configHash: String? = nil) throws {
        let fd: Int32
        do {
            fd = try StateFile.open(path, flags: O_WRONLY | O_APPEND, role: "audit.path",
                                    allowedMode: 0o640)
        } catch let refusal as StateFileRefusal {
            guard let code = refusal.errorNumber else { throw AuditError(refusing: refusal) }
            throw AuditError(path: path, errorNumber: code, doing: "open")
        }
        self.init(descriptor: fd, path: path, run: run, actor: actor, configHash: configHash)
    }

    /// Writes to a descriptor already open, which the log closes. For tests whose writes
    /// must fail (/dev/full), a file `init(path:)` refuses as no regular file.
    init(descriptor fd: Int32, path: String, run: String, actor: Actor, configHash: String? = nil) {
        self.path = path
        self.run = run
        self.actor = actor
        self.configHash = configHash
        self.fd = fd
    }

    deinit {
        try? writeLater()
        close(fd)
    }

    /// Appends one record; throws when the log cannot be written, since a change without
    /// an audit record must not go on.
    public func append(_ fill: (inout AuditRecord) -> Void) throws {
        let text = try line(fill)
        try write(takeLater() + text)
    }

    /// Appends one record soon rather than now: for the result of a change whose attempt
    /// is already on the disk. A large sync has hundreds of thousands of them, and a
    /// write(2) each took a tenth of its CPU. Throws when the buffer is written and fails.
    public func appendLater(_ fill: (inout AuditRecord) -> Void) throws {
        later += try line(fill)
        if later.utf8.count >= AuditLog.laterLimit { try writeLater() }
    }

    /// Writes what `appendLater` kept back.
    public func writeLater() throws {
        guard !later.isEmpty else { return }
        try write(takeLater())
    }

    private func takeLater() -> String {
        defer { later = "" }
        return later
    }

    /// Appends one record per element, in one write, and flushes them to the disk.
    public func appendAll<Elements: Collection>(
        _ elements: Elements, _ fill: (Elements.Element, inout AuditRecord) -> Void
    ) throws {
        guard !elements.isEmpty else { return }
        var text = ""
        for element in elements { text += try line { fill(element, &$0) } }
        try write(takeLater() + text)
        try flush()
    }

    /// The run-start record, flushed; it names the run the lock file says never ended, and
    /// claims the lock file for this run.
    public func recordStart(claiming lock: RunLock?, _ fill: (inout AuditRecord) -> Void) throws {
        // The lock file names this run before the record is written: a run killed after
        // its run-start is always reported by the next one.
        let unfinished = lock?.unfinished
        lock?.claim(run: run)
        try append { entry in
            entry.event = "run-start"
            fill(&entry)
            guard let unfinished else { return }
            entry.unfinishedRun = unfinished.run
            let note = "run \(unfinished.run) (pid \(unfinished.pid)) began and never ended: it "
                + "was killed or crashed; this run repairs what it left undone"
            entry.detail = entry.detail.map { $0 + "; " + note } ?? note
        }
        try flush()
    }

    /// The run-end record of a run that stopped: a guard, a failed read, a refused file.
    public func recordStopped(_ why: String, exitCode: ExitStatus) throws {
        try append { entry in
            entry.event = "run-end"
            entry.result = "stopped"
            entry.exitCode = exitCode.rawValue
            entry.detail = why
        }
    }

    /// The run-end record of a run that went to its end: `result` is `ok` only for exit 0,
    /// so that a SIEM alerting on the result sees what cron sees.
    public func recordEnd(_ status: ExitStatus, _ fill: (inout AuditRecord) -> Void) throws {
        try append { entry in
            entry.event = "run-end"
            entry.result = status == .success ? "ok" : "partial"
            entry.exitCode = status.rawValue
            fill(&entry)
        }
        try flush()
    }

    /// Makes what was appended durable (fsync); throws as `append` does.
    public func flush() throws {
        try writeLater()
        guard fsync(fd) == 0 else {
            throw AuditError(path: path, errorNumber: errno, doing: "flush")
        }
    }

    private func line(_ fill: (inout AuditRecord) -> Void) throws -> String {
        var record = AuditRecord(
            time: AuditLog.timestamp(), run: run, event: "change", actor: actor)
        record.configHash = configHash
        fill(&record)
        let actor = record.actor == self.actor ? actorJSON : AuditLine.render(record.actor)
        return try AuditLine.render(record, actor: actor) + "\n"
    }

    /// write(2) until every byte is out; a short write (a disk filling up) is retried so
    /// that the error that follows it is the one reported.
    private func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw AuditError(path: path, errorNumber: errno, doing: "write")
                }
                offset += written
            }
        }
    }
    /// UTC now as `2026-12-04T02:15:07.123Z`. Built by hand: a formatter object per record
    /// cost more than the directory write it records, and String(format:) still took an
    /// eighth of a large sync's CPU.
    static func timestamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        var text: [UInt8] = []
        text.reserveCapacity(24)
        let fields: [(value: Int, width: Int, after: Unicode.Scalar)] = [
            (Int(parts.tm_year) + 1900, 4, "-"), (Int(parts.tm_mon) + 1, 2, "-"),
            (Int(parts.tm_mday), 2, "T"), (Int(parts.tm_hour), 2, ":"), (Int(parts.tm_min), 2, ":"),
            (Int(parts.tm_sec), 2, "."), (millis, 3, "Z"),
        ]
        for field in fields {
            text.appendDigits(field.value, width: field.width)
            text.append(UInt8(field.after.value))
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The audit log could not be opened, written or flushed: the run stops before it sends
/// anything more (DESIGN: a change with no audit record is never made).
public struct AuditError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public let errorNumber: Int32?
    /// Directory writes sent before the log failed; zero means the directory is unchanged.
    public var changesSent = 0

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
        self.errorNumber = nil
        self.refused = false
    }

    init(path: String, errorNumber: Int32, doing step: String) {
        self.path = path
        self.problem = "\(step): \(String(cString: strerror(errorNumber)))"
        self.errorNumber = errorNumber
        self.refused = false
    }

    /// The file idsync will not use (a link, a second hard link, an open mode or folder).
    init(refusing refusal: StateFileRefusal) {
        self.path = ""
        self.problem = refusal.problem
        self.errorNumber = nil
        self.refused = true
    }

    /// True when idsync refused the file itself; `problem` then says why and the fix.
    let refused: Bool

    /// A path the site must fix (no permission, no such folder, a file idsync refuses): a
    /// config error, exit 2. A full, read-only or failing disk is not the config's fault: exit 3.
    public var isSetupProblem: Bool {
        guard !refused else { return true }
        guard let code = errorNumber else { return false }
        return [EACCES, EPERM, ENOENT, ENOTDIR, EISDIR, ELOOP].contains(code)
    }

    public var description: String {
        guard !refused else {
            return problem + "; the run stopped before sending any change to the directory"
        }

        let stopped = changesSent == 0
            ? "the run stopped before sending any change to the directory; nothing was changed"
            : "the run stopped after \(changesSent) directory writes; nothing more was sent, the "
                + "next run finishes the rest"
        return "cannot write the audit log \(path) (\(problem)): \(stopped). No change is made "
            + "without an audit record: fix the log's disk or path and run again"
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(fd, bytes, count)
}

import Foundation

/// Who ran the job: the bind identity, the OS user, and the operator's reason or ticket.
public struct Actor: Sendable, Codable {
    public let bindIdentity: String
    public let osUser: String
    public let reason: String?

    public init(bindIdentity: String, osUser: String, reason: String?) {
        self.bindIdentity = bindIdentity
        self.osUser = osUser
        self.reason = reason
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
}

/// The append-only JSON-lines audit log a SIEM ingests. It is never read back.
///
/// The file is created with mode 0600 and opened for append; each record is one line
/// written with a single `write`, so a crash leaves whole records behind.
public final class AuditLog {
    public let path: String
    let run: String
    let actor: Actor
    let configHash: String?
    private let handle: FileHandle

    public init(path: String, run: String, actor: Actor, configHash: String? = nil) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AuditError(path: path, problem: String(cString: strerror(errno)))
        }
        self.path = path
        self.run = run
        self.actor = actor
        self.configHash = configHash
        self.handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Appends one record; throws when the log cannot be written, since a change without
    /// an audit record must not go on.
    public func append(_ fill: (inout AuditRecord) -> Void) throws {
        var record = AuditRecord(time: AuditLog.timestamp(), run: run, event: "change", actor: actor)
        record.configHash = configHash
        fill(&record)
        let line = try AuditLine.render(record) + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw AuditError(path: path, problem: "\(error)")
        }
    }

    /// UTC now as `2026-12-04T02:15:07.123Z`. Built by hand: a formatter object per record
    /// cost more than the directory write it records.
    static func timestamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900,
                      Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                      Int(parts.tm_sec), millis)
    }
}

public struct AuditError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String {
        "cannot write the audit log \(path): \(problem); no change is made without an audit record"
    }
}

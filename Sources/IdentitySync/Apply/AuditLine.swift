import Foundation

/// Writes one audit record as a JSON line (RFC 8259), keys sorted, UTF-8 as it is.
///
/// JSONEncoder took a third of a large sync's CPU, time the directory then waited for;
/// the record's shape is fixed, so it is written out directly. The run summary, one per
/// run, still goes through JSONEncoder.
struct AuditLine {
    private var text = "{"
    private var first = true

    static func render(_ record: AuditRecord) throws -> String {
        try render(record, actor: render(record.actor))
    }

    /// The record with `actor` (the record's actor as `render(_: Actor)` writes it) in place
    /// of its own: every record of a run has the same actor, and the log renders it once.
    static func render(_ record: AuditRecord, actor: String) throws -> String {
        var line = AuditLine()
        line.text.reserveCapacity(512)
        line.string("action", record.action)
        line.raw("actor", actor)
        line.values("after", record.after)
        line.string("approvedBy", record.approvedBy)
        line.values("before", record.before)
        line.string("configHash", record.configHash)
        line.string("detail", record.detail)
        line.string("dn", record.dn)
        line.string("employeeID", record.employeeID)
        if let error = record.error {
            line.object("error") { failure in
                failure.raw("code", "\(error.code)")
                failure.string("message", error.message)
                failure.raw("outcomeUnknown", error.outcomeUnknown ? "true" : "false")
                failure.raw("transient", error.transient ? "true" : "false")
            }
        }
        line.string("event", record.event)
        line.raw("exitCode", record.exitCode.map { "\($0)" })
        line.string("reason", record.reason)
        line.string("result", record.result)
        line.string("run", record.run)
        if let summary = record.summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line.raw("summary", String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
        line.string("target", record.target)
        line.string("time", record.time)
        line.string("unfinishedRun", record.unfinishedRun)
        return line.text + "}"
    }

    /// The actor object of a record.
    static func render(_ actor: Actor) -> String {
        var line = AuditLine()
        line.string("approvedBy", actor.approvedBy)
        line.string("bindIdentity", actor.bindIdentity)
        line.string("osUser", actor.osUser)
        line.string("plan", actor.plan)
        line.string("reason", actor.reason)
        line.string("ticket", actor.ticket)
        return line.text + "}"
    }

    /// Appends in pieces: an interpolated key cost an allocation per key and record.
    private mutating func key(_ name: String) {
        text += first ? "\"" : ",\""
        text += name
        text += "\":"
        first = false
    }

    mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    mutating func raw(_ name: String, _ json: String?) {
        guard let json else { return }
        raw(name, json)
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        AuditLine.quote(value, into: &text)
    }

    mutating func values(_ name: String, _ values: [String: [String]]?) {
        guard let values else { return }
        object(name) { inner in
            for key in values.keys.sorted() {
                var list = "["
                for (index, value) in values[key]!.enumerated() {
                    if index > 0 { list += "," }
                    AuditLine.quote(value, into: &list)
                }
                inner.raw(key, list + "]")
            }
        }
    }

    mutating func object(_ name: String, _ fill: (inout AuditLine) -> Void) {
        var inner = AuditLine()
        fill(&inner)
        raw(name, inner.text + "}")
    }

    /// A JSON string: quote, backslash and control characters escaped, the rest as it is.
    static func quote(_ value: String, into text: inout String) {
        text += "\""
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

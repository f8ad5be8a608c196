import Foundation

/// Where an HR export says when it was made and how many rows it holds, as its layout
/// declares (`export_stamp:` in the layout file). A feed without one is dated by its file's
/// modification time.
public struct ExportStamp: Sendable {
    public enum Place: Sendable, Equatable {
        /// A record line before the header, such as `#EXPORT,exported=2026-12-01T05:00:00Z`.
        case firstLine
        /// A record line after the last row, such as `#TRAILER,rows=120,exported=…`. A feed
        /// whose last line is not the trailer was cut off.
        case trailer
        /// A column every row carries with the export instant.
        case column(String)
    }

    public var place: Place
    /// The record line's first field, e.g. `#TRAILER`.
    public var prefix = ""
    /// The `key=value` field of the record holding the count of data rows; nil: no count.
    public var rowsKey: String?
    /// The `key=value` field (or the column) holding the export instant, ISO 8601 with a zone.
    public var exportedKey: String?

    public init(place: Place) {
        self.place = place
    }
}

/// When a feed was made, and what says so.
public struct FeedDate: Sendable {
    public let instant: Date
    /// "exported …, per its trailer record" or "modified …": the words a message uses.
    public let source: String

    public init(instant: Date, source: String) {
        self.instant = instant
        self.source = source
    }

    /// The feed's age at `now`, in seconds; negative when it claims to come from the future.
    public func age(at now: Date) -> TimeInterval { now.timeIntervalSince(instant) }
}

/// The export record of one file, split off its bytes before the CSV is parsed.
struct ExportRecord {
    let fields: [String: String]
    let line: Int

    /// Removes the record line `stamp` names from `bytes`, leaving an empty line in its place
    /// so that every other line keeps its number. Throws when the record is missing.
    static func split(
        _ bytes: inout [UInt8], stamp: ExportStamp, delimiter: Unicode.Scalar,
        file: String
    ) throws -> ExportRecord? {
        switch stamp.place {
        case .column: return nil
        case .firstLine: return try first(&bytes, stamp, delimiter, file)
        case .trailer: return try trailer(&bytes, stamp, delimiter, file)
        }
    }

    private static func first(
        _ bytes: inout [UInt8], _ stamp: ExportStamp, _ delimiter: Unicode.Scalar,
        _ file: String
    ) throws -> ExportRecord {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        guard let record = parse(text, stamp: stamp, delimiter: delimiter, line: 1) else {
            throw FeedError.incomplete(
                "\(file):1: the layout says the export starts with a record "
                    + "'\(stamp.prefix)\(delimiter)…', found '\(text.prefix(60))'; this is not "
                    + "the export the layout describes, or it was edited. Export it again")
        }
        bytes.replaceSubrange(0..<end, with: [])
        return record
    }

    private static func trailer(
        _ bytes: inout [UInt8], _ stamp: ExportStamp, _ delimiter: Unicode.Scalar,
        _ file: String
    ) throws -> ExportRecord {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let start = bytes[..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let text = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(
            in: .whitespaces)
        let line = bytes[..<start].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        guard let record = parse(text, stamp: stamp, delimiter: delimiter, line: line) else {
            throw FeedError.incomplete(
                "\(file):\(line): the layout says the export ends with a trailer record "
                    + "'\(stamp.prefix)\(delimiter)…', and the last line is not one: the file "
                    + "was cut off or edited after the export. Export it again")
        }
        bytes.removeSubrange(start..<bytes.count)
        return record
    }

    /// `#TRAILER,rows=120,exported=2026-12-01T05:00:00Z` as its key=value fields; nil when
    /// the line does not start with the prefix.
    static func parse(
        _ text: String, stamp: ExportStamp, delimiter: Unicode.Scalar, line: Int
    ) -> ExportRecord? {
        let parts = text.split(separator: Character(delimiter), omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let first = parts.first, first == stamp.prefix else { return nil }
        var fields: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0].lowercased()] = pair[1] }
        }
        return ExportRecord(fields: fields, line: line)
    }
}

extension ExportStamp {
    /// The record's instant, checked: present and ISO 8601 with a zone.
    func exported(_ record: ExportRecord, file: String) throws -> FeedDate? {
        guard let key = exportedKey else { return nil }
        guard let text = record.fields[key.lowercased()] else {
            throw FeedError.incomplete(
                "\(file):\(record.line): the export record has no '\(key)=' field, which "
                    + "the layout says it carries; export it again")
        }
        guard let instant = ExportStamp.instant(text) else {
            throw FeedError.incomplete(
                "\(file):\(record.line): '\(key)=\(text)' is not an ISO 8601 instant "
                    + "such as 2026-12-01T05:00:00Z; the export record is damaged")
        }
        let which = place == .trailer ? "trailer record" : "first-line record"
        return FeedDate(instant: instant, source: "exported \(text), per its \(which)")
    }

    /// The row count the record states against the rows read: a feed cut or edited after
    /// export is not to be trusted, and no flag overrides that.
    func checkRowCount(_ record: ExportRecord, read: Int, file: String) throws {
        guard let key = rowsKey else { return }
        guard let text = record.fields[key.lowercased()], let stated = Int(text), stated >= 0 else {
            throw FeedError.incomplete(
                "\(file):\(record.line): the export record has no whole-number '\(key)=' "
                    + "field, which the layout says it carries; export it again")
        }
        guard stated == read else {
            throw FeedError.incomplete(
                "\(file):\(record.line): the export record says \(stated) rows and "
                    + "\(read) were read: the file was cut off or edited after the export. "
                    + "Export it again; this cannot be overridden")
        }
    }

    /// The oldest instant the export column holds; each distinct value is parsed once.
    func exported(column name: String, in table: CSVTable, file: String) throws -> FeedDate? {
        guard let index = table.column(named: name) else {
            throw FeedError.incomplete(
                "\(file):\(table.headerLine): the header lacks the column '\(name)' "
                    + "that the layout names as the export time; export it again")
        }
        var oldest: (Date, String)?
        for text in Set(
            table.rows.compactMap { $0.fields.count > index ? $0.fields[index].trimmed : nil })
        {
            guard let instant = ExportStamp.instant(text) else {
                throw FeedError.incomplete(
                    "\(file): column '\(name)': '\(text)' is not an ISO 8601 instant such "
                        + "as 2026-12-01T05:00:00Z")
            }
            if oldest.map({ instant < $0.0 }) ?? true { oldest = (instant, text) }
        }
        return oldest.map {
            FeedDate(instant: $0.0, source: "exported \($0.1), per its column '\(name)'")
        }
    }

    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

extension FeedSnapshot {
    /// Stops the run (exit 3) when the feed is older than `maxAge` at `now`, or dated more
    /// than an hour ahead of this machine's clock. A feed without a date passes.
    public func checkAge(maxAge: TimeInterval?, now: Date) throws {
        guard let maxAge, let date = self.date else { return }
        let age = date.age(at: now)
        if age < -3600 {
            throw FeedError.stale(
                "\(origin) was \(date.source), \(FeedSnapshot.duration(-age)) ahead of this "
                    + "machine's clock; check the clocks of this machine and of the HR export")
        }
        guard age > maxAge else { return }
        throw FeedError.stale(
            "\(origin) was \(date.source): it is \(FeedSnapshot.duration(age)) old, and "
                + "feed.max_age is \(FeedSnapshot.duration(maxAge)). Yesterday's file would "
                + "process no leavers: check that the HR export ran, and run again once a new "
                + "file is there")
    }

    /// `26h 5m` for people.
    public static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        let (days, hours, minutes) = (whole / 86400, whole % 86400 / 3600, whole % 3600 / 60)
        if days > 0 { return "\(days)d \(hours)h" + (minutes > 0 ? " \(minutes)m" : "") }
        if hours > 0 { return "\(hours)h" + (minutes > 0 ? " \(minutes)m" : "") }
        return minutes > 0 ? "\(minutes)m" : "\(whole)s"
    }
}

/// One record of a CSV file, as text. Nothing is read as a number: employee ids keep their
/// leading zeros.
public struct CSVRow: Sendable, Equatable {
    /// The physical line where the record starts, 1-based, counting the header and blank lines.
    /// A record with a quoted line break spans more than one line; this is its first.
    public let line: Int
    /// The fields in file order, unquoted. Their count may differ from the header's:
    /// see `CSVTable.fieldCountError(for:)`.
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A parsed CSV file: its header and every record after it.
///
/// Rows whose field count differs from the header's are kept, with their line, so the caller
/// can quarantine them one by one instead of rejecting the whole feed.
public struct CSVTable: Sendable {
    public let file: String
    /// The header's names exactly as written.
    public let header: [String]
    /// The line of the header: 1 unless blank lines come before it.
    public let headerLine: Int
    public let rows: [CSVRow]
    private let columns: [String: Int]

    /// Builds a table, checking the header. Throws `CSVError.duplicateHeader` when two names
    /// are the same once trimmed and lowercased.
    public init(file: String, header: [String], headerLine: Int = 1, rows: [CSVRow]) throws {
        self.file = file
        self.header = header
        self.headerLine = headerLine
        self.rows = rows
        self.columns = try Self.index(header, file: file, line: headerLine)
    }

    /// The position of the column called `name`, compared trimmed and case-insensitively
    /// (Unicode lowercasing, so `Straße` and `STRASSE` stay distinct but `É` matches `é`).
    public func column(named name: String) -> Int? {
        columns[Self.normalized(name)]
    }

    /// The quarantine reason for a row whose field count differs from the header's, such as
    /// `hr/day1.csv:14: 13 fields, header has 14; …`; nil for a well-formed row.
    public func fieldCountError(for row: CSVRow) -> CSVError? {
        guard row.fields.count != header.count else { return nil }

        return CSVError(.fieldCount, file: file, line: row.line,
                        "\(row.fields.count) fields, header has \(header.count); look in that row "
                            + "for a delimiter in an unquoted field, or a missing field")
    }

    /// Rows whose field count differs from the header's, in file order.
    public var malformedRows: [CSVRow] {
        rows.filter { $0.fields.count != header.count }
    }
}

extension CSVTable {
    /// Header names trimmed of whitespace at both ends and lowercased.
    static func normalized(_ name: String) -> String {
        let scalars = name.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }

        return String(scalars[first...last]).lowercased()
    }

    private static func index(_ header: [String], file: String, line: Int) throws -> [String: Int] {
        var columns: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            let key = normalized(name)
            if let earlier = columns[key] {
                throw CSVError.duplicateHeader(name, columns: (earlier, position), file: file,
                                               line: line)
            }
            columns[key] = position
        }
        return columns
    }
}

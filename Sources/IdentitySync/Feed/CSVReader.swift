import Foundation

/// Reads HR exports as RFC 4180 CSV, with the leniencies real exports need.
///
/// - Encoding: UTF-8, with or without a byte order mark. Invalid UTF-8 throws, naming the line.
/// - Lines: CRLF, LF or CR, mixed; the last line may lack a line break. Completely empty
///   lines are skipped.
/// - Quotes: a quoted field may hold delimiters, `""` for a quote, and line breaks, which are
///   kept as written (a CRLF inside quotes stays CRLF). A quote inside an unquoted field, or
///   text after a closing quote, throws. A quote still open at the end of the file throws,
///   naming the line where that field began: the file is broken or cut off.
/// - Header: the first record. Two names equal once trimmed and lowercased throw.
/// - Rows: kept whatever their field count; `CSVTable.fieldCountError(for:)` words the problem
///   for the caller's quarantine. An empty file, or a header alone, gives a table of no rows.
/// - Values stay text; nothing is read as a number.
public enum CSVReader {
    /// Reads the file at `path`; errors name the file as `path`.
    /// Throws `CSVError` with `.unreadable` if the file cannot be read, or any parse error.
    public static func read(path: String, delimiter: Unicode.Scalar = ",") throws -> CSVTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CSVError(.unreadable, file: path, line: 0,
                           "cannot read the file (\(error.localizedDescription))")
        }

        return try parse([UInt8](data), file: path, delimiter: delimiter)
    }

    /// Parses a whole CSV file held in memory; `file` names it in every error.
    /// `delimiter` must be one ASCII character other than a quote, CR or LF.
    public static func parse(
        _ bytes: [UInt8], file: String, delimiter: Unicode.Scalar = ","
    ) throws -> CSVTable {
        guard delimiter.isASCII, !"\"\r\n".unicodeScalars.contains(delimiter) else {
            throw CSVError(.invalidDelimiter, file: file, line: 0,
                           "the delimiter '\(delimiter.escaped(asASCII: true))' cannot be used; "
                               + "choose one ASCII character other than a quote or line break")
        }
        try rejectUTF16(bytes, file: file)

        return try bytes.withUnsafeBufferPointer { buffer in
            var scanner = CSVScanner(bytes: buffer, start: hasBOM(bytes) ? 3 : 0,
                                     delimiter: UInt8(delimiter.value), file: file)
            return try table(from: &scanner, file: file)
        }
    }

    private static func table(from scanner: inout CSVScanner, file: String) throws -> CSVTable {
        guard let header = try scanner.nextRecord(capacity: 16) else {
            return try CSVTable(file: file, header: [], rows: [])
        }

        var rows: [CSVRow] = []
        while let row = try scanner.nextRecord(capacity: header.fields.count) {
            rows.append(row)
        }
        return try CSVTable(file: file, header: header.fields, headerLine: header.line, rows: rows)
    }

    private static func hasBOM(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0xEF, 0xBB, 0xBF])
    }

    /// A UTF-16 export is a common mistake; say so instead of pointing at byte two.
    private static func rejectUTF16(_ bytes: [UInt8], file: String) throws {
        guard bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) else { return }

        throw CSVError(.invalidUTF8, file: file, line: 1,
                       "the file is UTF-16 (it starts with a UTF-16 byte order mark); "
                           + "export it as UTF-8")
    }
}

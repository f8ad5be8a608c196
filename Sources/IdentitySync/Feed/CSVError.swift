/// A problem in a CSV file: the file, the physical line (1-based), and what to change.
///
/// `description` reads `hr/day1.csv:14: message`; a problem with the whole file (unreadable,
/// bad delimiter) has line 0 and reads `hr/day1.csv: message`.
public struct CSVError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable name for the kind of problem, for tests, log keys and quarantine reports.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case unreadable, invalidDelimiter, invalidUTF8, strayQuote, unterminatedQuote
            case duplicateHeader, fieldCount
        }

        private let base: Base

        public static let unreadable = Code(base: .unreadable)
        public static let invalidDelimiter = Code(base: .invalidDelimiter)
        public static let invalidUTF8 = Code(base: .invalidUTF8)
        /// A quote inside an unquoted field, or text right after a closing quote.
        public static let strayQuote = Code(base: .strayQuote)
        /// A quoted field still open at the end of the file: a broken or truncated export.
        public static let unterminatedQuote = Code(base: .unterminatedQuote)
        public static let duplicateHeader = Code(base: .duplicateHeader)
        /// A row's field count differs from the header's. Only ever reported for one row.
        public static let fieldCount = Code(base: .fieldCount)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let file: String
    public let line: Int
    public let message: String

    public init(_ code: Code, file: String, line: Int, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        guard line > 0 else { return "\(file): \(message)" }

        return "\(file):\(line): \(message)"
    }
}

extension CSVError {
    static func duplicateHeader(
        _ name: String, columns: (Int, Int), file: String, line: Int
    ) -> CSVError {
        let which = "columns \(columns.0 + 1) and \(columns.1 + 1)"
        let trimmed = CSVTable.normalized(name)
        let message = trimmed.isEmpty
            ? "the header has two columns with no name (\(which)); name them or remove them"
            : "the header names '\(name)' twice (\(which)); rename or remove one of them"
        return CSVError(.duplicateHeader, file: file, line: line, message)
    }
}

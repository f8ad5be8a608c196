/// A problem in a YAML file: where it is, and what to change.
///
/// `description` reads `file:line:column: message`, the shape editors and terminals link to.
/// A file that cannot be read at all has line and column 0 and prints as `file: message`.
public struct YAMLError: Error, CustomStringConvertible, Sendable {
    /// A stable name for the kind of problem, for tests and log keys.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case unreadable, syntax, unsupported, duplicateKey, unknownKey, missingKey, wrongType
        }

        private let base: Base

        /// The file could not be read.
        public static let unreadable = Code(base: .unreadable)
        /// libyaml rejected the text (indentation, brackets, encoding).
        public static let syntax = Code(base: .syntax)
        /// Valid YAML that idsync does not accept: anchors, aliases, tags, several documents.
        public static let unsupported = Code(base: .unsupported)
        public static let duplicateKey = Code(base: .duplicateKey)
        public static let unknownKey = Code(base: .unknownKey)
        public static let missingKey = Code(base: .missingKey)
        /// A value of the wrong kind, such as text where a whole number belongs.
        public static let wrongType = Code(base: .wrongType)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(_ code: Code, file: String, at mark: YAMLMark?, _ message: String) {
        self.code = code
        self.file = file
        self.line = mark?.line ?? 0
        self.column = mark?.column ?? 0
        self.message = message
    }

    public var description: String {
        guard line > 0 else { return "\(file): \(message)" }

        return "\(file):\(line):\(column): \(message)"
    }
}

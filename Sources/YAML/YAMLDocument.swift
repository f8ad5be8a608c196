import Foundation

/// Entry points: YAML text or a YAML file to one `YAMLNode` tree.
///
/// Accepted: one document of mappings, sequences and scalars in any style, UTF-8.
/// Rejected with a `YAMLError`: syntax errors, duplicate keys, non-text keys, anchors,
/// aliases, tags, and a second document.
public enum YAMLDocument {
    /// Parses one document. Empty text, or only comments, gives `.null` at 1:1.
    /// `file` names the input in every error.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Reads and parses the file at `path`; errors name the file as `path`.
    /// Throws `.unreadable` when the file cannot be read, and `.syntax` for invalid UTF-8.
    public static func load(path: String) throws -> YAMLNode {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw YAMLError(.unreadable, file: path, at: nil,
                            "cannot read the file (\(error.localizedDescription))")
        }

        return try parse(bytes: [UInt8](data), file: path)
    }

    /// Parses one document from UTF-8 bytes; as `parse(_:file:)`.
    public static func parse(bytes: [UInt8], file: String) throws -> YAMLNode {
        guard !bytes.isEmpty else { return .null(YAMLMark(line: 1, column: 1)) }

        let events = try LibYAMLEvents.events(in: bytes, file: file)
        var builder = YAMLTreeBuilder(events: events, file: file)
        return try builder.document()
    }
}

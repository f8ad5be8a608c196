import Foundation

/// An attribute template such as `{preferred} {last}` or `{login}@example.org`.
///
/// Placeholders name person fields; text between them is kept. A template whose
/// placeholders are all empty renders as empty, so the attribute is left out.
public struct Template: Sendable {
    enum Piece: Sendable { case text(String), field(String) }

    public let source: String
    let pieces: [Piece]

    public static let fieldNames: Set<String> = [
        "first", "preferred", "last", "job_title", "job_code", "department", "location",
        "worker_type", "employee_id", "login", "manager_dn",
    ]

    /// Throws where a placeholder is unknown or a brace is left open.
    public init(_ source: String) throws {
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw TemplateError(template: source, problem: "a '{' is never closed")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard Template.fieldNames.contains(name) else {
                let known = Template.fieldNames.sorted().joined(separator: ", ")
                throw TemplateError(template: source, problem: "unknown placeholder {\(name)}; known: \(known)")
            }
            pieces.append(.field(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.source = source
        self.pieces = pieces
    }

    /// The placeholders the template has, in order.
    public var fields: [String] {
        pieces.compactMap { if case .field(let name) = $0 { return name } else { return nil } }
    }

    /// Fills the template; returns "" when every placeholder was empty.
    public func render(_ value: (String) -> String) -> String {
        var output = ""
        var filledAny = false
        var hasFields = false
        for piece in pieces {
            switch piece {
            case .text(let text):
                output += text
            case .field(let name):
                hasFields = true
                let filled = value(name)
                filledAny = filledAny || !filled.isEmpty
                output += filled
            }
        }
        guard filledAny || !hasFields else { return "" }
        return output.trimmed
    }
}

public struct TemplateError: Error, CustomStringConvertible {
    public let template: String
    public let problem: String
    public var description: String { "template '\(template)': \(problem)" }
}

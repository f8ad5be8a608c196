import Foundation

/// A reviewer's answer in the `approved` column.
public enum ReviewDecision: String, Sendable, Codable {
    /// Adopt: write the employee id and idsync's state on the account.
    case yes
    /// Leave the account as it is; the proposal comes back on the next `adopt`.
    case no
    /// The account is not this person's: remember that on the account so that the planner
    /// stops holding the person and `adopt` stops proposing the pair.
    case reject

    /// Reads a cell: yes/y/true, no/n/false or empty, reject; nil for anything else.
    init?(cell: String) {
        switch cell.trimmed.lowercased() {
        case "yes", "y", "true": self = .yes
        case "no", "n", "false", "": self = .no
        case "reject", "rejected": self = .reject
        default: return nil
        }
    }
}

/// One row read back from a review file, with where it stands in the file.
public struct ReviewRow: Sendable, Equatable {
    /// The CSV line, or for JSON the proposal's position counted from 1.
    public let line: Int
    public let accountDN: String
    public let login: String
    public let employeeID: String
    public let hrName: String
    public let decision: ReviewDecision
}

/// A review file that cannot be applied as it is: every problem with its line.
public struct ReviewFileError: Error, CustomStringConvertible {
    public let file: String
    public let problems: [(line: Int, text: String)]

    public init(file: String, problems: [(line: Int, text: String)]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        let list = problems.map { "\(file):\($0.line): \($0.text)" }.joined(separator: "\n  ")
        return "the review file cannot be applied; nothing was written:\n  \(list)"
    }
}

/// The review file `idsync adopt` writes and `idsync adopt --apply` reads: CSV for people
/// (spreadsheets) and JSON for tools, the same rows in both.
///
/// CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) are written with a leading `'`: HR names and directory values
/// are input nobody here controls. Reading back drops that `'` again.
public enum ReviewFile {
    public static let columns = [
        "account_dn", "login", "employee_id", "hr_name", "hr_status", "confidence",
        "ambiguous", "evidence", "approved",
    ]
    static let required = ["account_dn", "login", "employee_id", "hr_name", "approved"]

    public static func csv(_ proposals: [AdoptionProposal]) -> String {
        var lines = [columns.joined(separator: ",")]
        for proposal in proposals {
            let cells = [
                proposal.accountDN, proposal.login, proposal.employeeID, proposal.hrName,
                proposal.hrStatus, proposal.confidence.rawValue,
                proposal.competing.joined(separator: "; "),
                proposal.evidenceText, proposal.isAutoApproved ? "yes" : "no",
            ]
            lines.append(cells.map { quoted(neutralised($0)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The cell with a `'` in front where a spreadsheet would take it for a formula.
    static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, formulaStarts.contains(first) else {
            return cell
        }
        return "'" + cell
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// RFC 4180: a cell with a comma, a quote, a line break or edge spaces goes in quotes.
    static func quoted(_ cell: String) -> String {
        let special =
            cell.contains { ",\"\r\n".contains($0) } || cell.hasPrefix(" ") || cell.hasSuffix(" ")
        guard special else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func restored(_ cell: String) -> String {
        let scalars = cell.unicodeScalars
        guard scalars.first == "'", scalars.count > 1,
            formulaStarts.contains(scalars[scalars.index(after: scalars.startIndex)])
        else { return cell }
        return String(cell.dropFirst())
    }

    // MARK: JSON

    struct Document: Codable {
        var schema = 1
        var feed: String
        var directoryFingerprint: String
        var proposals: [Row]
    }

    struct Row: Codable {
        var accountDN: String
        var login: String
        var employeeID: String
        var hrName: String
        var hrStatus: String?
        var confidence: MatchConfidence?
        var ambiguous: [String]?
        var evidence: [MatchEvidence]?
        var approved: String
    }

    public static func json(
        _ proposals: [AdoptionProposal], feed: String, fingerprint: String
    ) throws -> String {
        let rows = proposals.map { proposal in
            Row(
                accountDN: proposal.accountDN, login: proposal.login,
                employeeID: proposal.employeeID,
                hrName: proposal.hrName, hrStatus: proposal.hrStatus,
                confidence: proposal.confidence,
                ambiguous: proposal.competing, evidence: proposal.evidence,
                approved: proposal.isAutoApproved ? "yes" : "no")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(
            Document(feed: feed, directoryFingerprint: fingerprint, proposals: rows))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: Reading back

    /// Reads a review file, JSON when its name ends in `.json`, else CSV. Throws
    /// `ReviewFileError` naming each line whose `approved` cell is not yes, no or reject.
    public static func read(path: String) throws -> [ReviewRow] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReviewFileError(file: path, problems: [(0, "cannot read the file")])
        }
        return path.lowercased().hasSuffix(".json")
            ? try readJSON(data, file: path)
            : try readCSV([UInt8](data), file: path)
    }

    static func readCSV(_ bytes: [UInt8], file: String) throws -> [ReviewRow] {
        let table: CSVTable
        do {
            table = try CSVReader.parse(bytes, file: file)
        } catch let error as CSVError {
            throw ReviewFileError(file: file, problems: [(error.line, error.message)])
        }
        let missing = required.filter { table.column(named: $0) == nil }
        guard missing.isEmpty else {
            throw ReviewFileError(
                file: file,
                problems: [
                    (
                        table.headerLine,
                        "the header lacks "
                            + missing.joined(separator: ", ") + "; use the file idsync adopt wrote"
                    )
                ])
        }
        var rows: [ReviewRow] = []
        var problems: [(line: Int, text: String)] = []
        for row in table.rows {
            let cell = { (name: String) -> String in
                let index = table.column(named: name)!
                return index < row.fields.count ? restored(row.fields[index].trimmed) : ""
            }
            guard let decision = ReviewDecision(cell: cell("approved")) else {
                problems.append(
                    (row.line, "approved is '\(cell("approved"))'; write yes, no or reject"))
                continue
            }
            rows.append(
                ReviewRow(
                    line: row.line, accountDN: cell("account_dn"), login: cell("login"),
                    employeeID: cell("employee_id"), hrName: cell("hr_name"), decision: decision))
        }
        guard problems.isEmpty else { throw ReviewFileError(file: file, problems: problems) }
        return rows
    }

    static func readJSON(_ data: Data, file: String) throws -> [ReviewRow] {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw ReviewFileError(
                file: file, problems: [(0, "not a review file idsync adopt wrote: \(error)")])
        }
        var rows: [ReviewRow] = []
        var problems: [(line: Int, text: String)] = []
        for (position, row) in document.proposals.enumerated() {
            guard let decision = ReviewDecision(cell: row.approved) else {
                problems.append(
                    (position + 1, "approved is '\(row.approved)'; write yes, no or reject"))
                continue
            }
            rows.append(
                ReviewRow(
                    line: position + 1, accountDN: row.accountDN.trimmed, login: row.login.trimmed,
                    employeeID: row.employeeID.trimmed, hrName: row.hrName.trimmed,
                    decision: decision))
        }
        guard problems.isEmpty else { throw ReviewFileError(file: file, problems: problems) }
        return rows
    }

    /// Writes `text` to `path` with mode 0600, never through a symbolic link: the file
    /// names people and their accounts.
    public static func writePrivate(_ text: String, to path: String) throws {
        try PrivateFile.write(text, to: path, role: "review file")
    }
}

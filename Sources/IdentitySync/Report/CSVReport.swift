import Foundation

/// The plan as CSV for a spreadsheet: one row per change, RFC 4180 quoting, CRLF line ends.
///
/// A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some, a tab or
/// a carriage return) as a formula, and HR names and titles are typed by people. Such a
/// cell, and one that begins with `'` so that the rule can be undone, gets a `'` in front:
/// to read the values back, drop the first character of every cell that begins with `'`.
public enum CSVReport {
    public static let header = [
        "category", "kind", "employee_id", "name", "login", "department", "dn",
        "target", "before", "after", "rule", "reason", "fields"
    ]

    public static func render(_ plan: Plan) -> String {
        let people = plan.peopleByKey
        var lines = [line(header)]
        lines.reserveCapacity(plan.changes.count + 1)
        for change in plan.changes {
            let person = change.employeeID.flatMap { people[Person.key($0)] }
            lines.append(line(row(change, person: person)))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The cells of one change, before neutralising and quoting.
    public static func row(_ change: Change, person: PlanPerson?) -> [String] {
        let edits = change.attributes.filter { $0.name.lowercased() != "objectclass" }
        let before = edits.map { "\($0.name): \($0.before.joined(separator: "|"))" }.joined(
            separator: "; ")
        let after = edits.map { "\($0.name): \($0.after.joined(separator: "|"))" }.joined(
            separator: "; ")
        let fields = change.reason.fields.map { field in
            field.before.map { "\(field.field): \($0) → \(field.value)" }
                ?? "\(field.field)=\(field.value)"
        }.joined(separator: "; ")
        return [
            change.category.rawValue, change.kind.rawValue, change.employeeID ?? "",
            person?.name ?? "",
            change.login ?? "", person?.department ?? "", change.dn, change.target ?? "", before,
            after,
            change.reason.rule, change.reason.text, fields
        ]
    }

    /// A cell a spreadsheet will not run: see the type's comment.
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r'".unicodeScalars.contains(first)
        else {
            return cell
        }
        return "'" + cell
    }

    static func line(_ cells: [String]) -> String {
        cells.map { quoted(neutralised($0)) }.joined(separator: ",")
    }

    /// RFC 4180: a cell with a comma, quote, CR or LF is quoted, quotes doubled.
    static func quoted(_ cell: String) -> String {
        guard
            cell.contains(where: {
                $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n"
            })
        else {
            return cell
        }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

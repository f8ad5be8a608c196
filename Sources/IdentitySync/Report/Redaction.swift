import Foundation

/// Hides the HR fields a site names in `report.redact` from every report: a plan is read
/// in a change meeting before the person has been told of their termination, and a leave
/// status can disclose medical leave.
///
/// What is hidden: the values of those fields wherever the plan cites them as evidence, and
/// the same values inside the texts of that person's reasons and findings. What stays: the
/// kind and category of each change, and the attribute values it writes to the directory,
/// since they are what is being approved.
public struct Redaction: Sendable {
    public static let mark = "[redacted]"

    /// Field names (the layout's and the export's column names), lower-cased.
    public let names: Set<String>
    /// The redacted fields' values by person, to find them in free text.
    private let values: [String: [String]]
    /// How the feed names the redacted fields in its problems ("column 'Status': '…'"), so
    /// that the raw value of a quarantined row, which no person holds, is hidden too.
    private let spellings: [String]

    /// `names` come from `report.redact`; the layout maps column names onto field names so
    /// that either spelling hides both.
    public init(config: ReportConfig, layout: FeedLayout, feed: FeedSnapshot?) {
        var names = config.redact
        for (field, column) in layout.columns {
            let spellings: Set<String> = [field.rawValue, column.lowercased()]
            if !spellings.isDisjoint(with: config.redact) { names.formUnion(spellings) }
        }
        self.names = names
        self.spellings = layout.columns.filter { names.contains($0.key.rawValue) }.map(\.value)
            + HRField.allCases.map(\.rawValue).filter { names.contains($0) }
        let fields = HRField.allCases.filter { names.contains($0.rawValue) }
        var values: [String: [String]] = [:]
        for person in feed?.people ?? [] where !fields.isEmpty {
            let found = fields.map { AccountMapper.value(of: $0, in: person) }.filter {
                $0.count > 1
            }
            if !found.isEmpty { values[person.key] = found }
        }
        self.values = values
    }

    public var isEmpty: Bool { names.isEmpty }

    /// True when the field (a field name or an export column name) is redacted.
    public func hides(_ field: String) -> Bool {
        names.contains(field.lowercased())
    }

    /// The plan with the redacted values replaced by `[redacted]`.
    public func apply(to plan: Plan) -> Plan {
        guard !isEmpty else { return plan }
        var redacted = plan
        redacted.changes = plan.changes.map(apply)
        redacted.people = plan.people.map { person in
            PlanPerson(
                employeeID: person.employeeID, name: person.name,
                department: hides("department") ? Redaction.mark : person.department,
                jobTitle: hides("job_title") ? Redaction.mark : person.jobTitle,
                source: person.source)
        }
        redacted.findings = plan.findings.map { finding in
            Finding(
                kind: finding.kind, employeeID: finding.employeeID, dn: finding.dn,
                text: scrubQuoted(scrub(finding.text, for: finding.employeeID, extra: [])))
        }
        return redacted
    }

    private func apply(_ change: Change) -> Change {
        let hidden = change.reason.fields.filter { hides($0.field) }
        guard !hidden.isEmpty || values[change.employeeID.map(Person.key) ?? ""] != nil else {
            return change
        }

        let fields = change.reason.fields.map { field in
            hides(field.field)
                ? FieldEvidence(
                    field: field.field, value: Redaction.mark,
                    before: field.before.map { _ in Redaction.mark }) : field
        }
        let cited = hidden.flatMap { [$0.value] + ($0.before.map { [$0] } ?? []) }
        let reason = Reason(
            rule: change.reason.rule,
            text: scrub(change.reason.text, for: change.employeeID, extra: cited),
            fields: fields)
        return Change(
            kind: change.kind, category: change.category, employeeID: change.employeeID,
            login: change.login, dn: change.dn, target: change.target,
            attributes: change.attributes, state: change.state, reason: reason)
    }

    /// `text` with the value quoted after a redacted field's name replaced: the feeds'
    /// problems read "column 'Termination Date': '2026-12-01' is not a date …" (CSV) or
    /// "attribute 'terminationDate': '…'" (SCIM).
    public func scrubQuoted(_ text: String) -> String {
        var text = text
        for name in spellings {
            text = replacingQuotedValues(after: "'\(name)': '", in: text)
        }
        return text
    }

    private func replacingQuotedValues(after opening: String, in text: String) -> String {
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: opening, options: .caseInsensitive) {
            result += rest[..<start.upperBound]
            let value = rest[start.upperBound...]
            // The value ends at the quote before the message goes on; a quote inside the value
            // cannot end it early because the rest of the sentence follows a "' ".
            let end = value.range(of: "' ")?.lowerBound ?? value.lastIndex(of: "'") ?? value.endIndex
            result += Redaction.mark
            rest = value[end...]
        }
        return result + rest
    }

    /// `text` with every redacted value of the person (and `extra`) replaced; longest
    /// first, so that a value inside another does not leave part of the longer one.
    public func scrub(_ text: String, for employeeID: String?, extra: [String]) -> String {
        let known = employeeID.flatMap { values[Person.key($0)] } ?? []
        let secrets = Set((known + extra).filter { $0.count > 1 && $0 != Redaction.mark })
        guard !secrets.isEmpty else { return text }
        var text = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: Redaction.mark)
        }
        return text
    }
}

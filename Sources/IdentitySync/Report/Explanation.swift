import Foundation

/// `idsync explain --employee ID`: for one person, what idsync read, wanted, found and plans,
/// and the rule behind each change.
public struct Explanation: Sendable {
    public struct Section: Sendable {
        public var title: String
        public var rows: [(name: String, value: String)]
    }

    public let employeeID: String
    public var sections: [Section] = []
    public var changes: [Change] = []
    public var findings: [Finding] = []

    /// Gathers the person's record, desired and observed account, changes and findings.
    /// `table` is the feed as read (every column, mapped or not); `plan` is already redacted
    /// where it must be, and `redaction` hides the same fields in the record.
    public init(
        employeeID: String, config: Config, feed: FeedSnapshot, table: CSVTable?,
        directory: ObservedDirectory, plan: Plan, instant: Date, redaction: Redaction?
    ) {
        self.employeeID = employeeID
        let key = Person.key(employeeID)
        let hide = { (name: String, value: String) in
            (redaction?.hides(name) ?? false) ? Redaction.mark : value
        }

        sections.append(Explanation.record(key, table: table, config: config, hide: hide))
        let person = feed.people.first { $0.key == key }
        let observed = directory.accounts.first { $0.employeeID.map(Person.key) == key }
        if let person {
            let zones = config.locationZones
            let site = config.timeZone
            let decision = LifecycleRules(instant: instant) { zones[$0.lowercased()] ?? site }
                .decide(person)
            sections.append(Explanation.person(person, decision: decision, hide: hide))
            let login =
                observed?.login
                ?? plan.changes.first {
                    $0.employeeID.map(Person.key) == key && $0.kind == .createAccount
                }?.login
            if let login {
                let manager = person.managerID.flatMap { id in
                    Explanation.plannedDN(of: Person.key(id), plan: plan, directory: directory)
                }
                let desired = AccountMapper(config: config).desired(
                    person, decision: decision, login: login,
                    managerDN: manager)
                sections.append(Explanation.desired(desired))
            } else {
                sections.append(
                    Section(title: "desired account", rows: [("account", "none on this date")]))
            }
        } else {
            sections.append(
                Section(
                    title: "person",
                    rows: [
                        (
                            "feed",
                            "no usable row for this employee id; "
                                + "see the findings"
                        )
                    ]))
        }
        sections.append(Explanation.observed(observed, directory: directory))
        changes = plan.changes.filter { $0.employeeID.map(Person.key) == key }
        findings = plan.findings.filter { finding in
            finding.employeeID.map(Person.key) == key
                || (observed != nil && finding.dn == observed?.dn.string)
                || Explanation.lists(key, in: finding)
        }
    }

    /// A finding that holds several people back lists their employee ids in its text: a
    /// group whose DN is taken, a placement container that does not exist. Without it the
    /// explanation of a held joiner said only that there is no account.
    static func lists(_ key: String, in finding: Finding) -> Bool {
        guard finding.kind == .groupDNTaken || finding.kind == .containerMissing else {
            return false
        }
        let words = finding.text.split { " ,;()".contains($0) }
        return words.contains { word in
            let id = word.hasSuffix(".") ? word.dropLast() : word
            return Person.key(String(id)) == key
        }
    }

    /// The DN an account has once the plan is applied, as the planner links managers: a
    /// joiner's new entry, a mover's new DN, else the one observed. A manager who is a joiner
    /// in the same run has no entry yet, but the plan writes their DN all the same.
    static func plannedDN(of key: String, plan: Plan, directory: ObservedDirectory) -> String? {
        let own = plan.changes.filter { $0.employeeID.map(Person.key) == key }
        if let move = own.first(where: { $0.kind == .move }) { return move.target }
        if let creation = own.first(where: { $0.kind == .createAccount }) { return creation.dn }
        return directory.accounts.first { $0.employeeID.map(Person.key) == key }?.dn.string
    }

    private static func record(
        _ key: String, table: CSVTable?, config: Config,
        hide: (String, String) -> String
    ) -> Section {
        guard let table,
            let column = config.feed.layout.columns[.employeeID].flatMap(table.column(named:))
        else {
            return Section(title: "HR record as read", rows: [("feed", "not read")])
        }
        let fieldOfColumn = Dictionary(
            config.feed.layout.columns.map { ($1.lowercased(), $0.rawValue) }
        ) { a, _ in a }
        var rows: [(String, String)] = []
        for row in table.rows
        where column < row.fields.count && Person.key(row.fields[column]) == key {
            rows.append(("line", "\(table.file):\(row.line)"))
            for (index, name) in table.header.enumerated() {
                let value = index < row.fields.count ? row.fields[index] : ""
                let field =
                    fieldOfColumn[name.trimmingCharacters(in: .whitespaces).lowercased()] ?? name
                rows.append((name, hide(field, hide(name, value))))
            }
        }
        if rows.isEmpty {
            rows.append(("feed", "no row in \(table.file) carries this employee id"))
        }
        return Section(title: "HR record as read", rows: rows)
    }

    private static func person(
        _ person: Person, decision: LifecycleDecision,
        hide: (String, String) -> String
    ) -> Section {
        var rows = HRField.allCases.map { field in
            (field.rawValue, hide(field.rawValue, AccountMapper.value(of: field, in: person)))
        }
        rows.append(("lifecycle on \(decision.localDate)", decision.state.rawValue))
        if let conflict = decision.conflict { rows.append(("conflict", conflict)) }
        return Section(title: "person (normalized)", rows: rows)
    }

    private static func desired(_ desired: DesiredAccount) -> Section {
        var rows: [(String, String)] = [("dn", desired.dn.string), ("login", desired.login)]
        for name in desired.attributes.keys.sorted() {
            rows.append((name, desired.attributes[name]!.joined(separator: " | ")))
        }
        rows.append(("role rules", desired.rules.joined(separator: ", ")))
        rows.append(("groups", desired.groups.sorted().joined(separator: ", ")))
        rows.append(("MFA level", desired.mfa.rawValue))
        rows.append(("wanted on \(desired.decision.localDate)", wanted(desired.decision.state)))
        return Section(title: "desired account", rows: rows)
    }

    /// What the lifecycle state asks of the account, in DESIGN's words.
    private static func wanted(_ state: Lifecycle) -> String {
        switch state {
        case .active:
            return "enabled, with the groups above and the MFA enrollment flag until enrolled"
        case .preHire:
            return "nothing yet, or an account created disabled within the pre-hire window"
        case .leaveOfAbsence: return "as the leave_of_absence policy says: kept, or disabled"
        case .leaver, .contractEnded:
            return "disabled and out of every managed group (the groups above no longer apply)"
        }
    }

    private static func observed(
        _ account: ObservedAccount?, directory: ObservedDirectory
    ) -> Section {
        guard let account else {
            return Section(title: "observed account", rows: [("entry", "none")])
        }
        var rows: [(String, String)] = [("dn", account.dn.string), ("login", account.login)]
        for name in account.attributes.names {
            rows.append((name, (account.attributes[name] ?? []).joined(separator: " | ")))
        }
        rows.append(("lock", "\(account.lock)"))
        rows.append(("idsync state", account.state?.stored ?? "none (idsync never claimed it)"))
        let groups = directory.groups.values.filter { $0.members.contains(account.dn.normalized) }
            .map(\.dn.string).sorted()
        rows.append(("managed groups", groups.isEmpty ? "none" : groups.joined(separator: ", ")))
        return Section(title: "observed account", rows: rows)
    }
}

extension Explanation {
    public func text() -> String {
        var lines = ["idsync explain: employee \(employeeID)"]
        for section in sections {
            lines.append("")
            lines.append(section.title + ":")
            for row in section.rows { lines.append("  \(row.name): \(row.value)") }
        }
        lines.append("")
        lines.append("planned changes (\(changes.count)):")
        for change in changes {
            lines.append("  " + TextReport.describe(change))
            lines.append("      rule: \(change.reason.rule): \(change.reason.text)")
            for field in change.reason.fields {
                lines.append("      \(HTMLReport.fieldText(field))")
            }
        }
        if !findings.isEmpty {
            lines.append("")
            lines.append("findings:")
            for finding in findings { lines.append("  \(finding.kind.rawValue): \(finding.text)") }
        }
        return lines.map(TextReport.visible).joined(separator: "\n") + "\n"
    }

    public func html() -> String {
        var page = HTMLPage()
        page.open(
            title: "idsync explain: employee \(employeeID)", script: "", style: HTMLReport.style)
        page.element("h1", "idsync explain: employee \(employeeID)")
        for section in sections {
            page.element("h2", section.title)
            page.raw("<table class=\"explain\"><tbody>")
            for row in section.rows {
                page.raw("<tr>")
                page.cells([row.name, row.value])
                page.raw("</tr>")
            }
            page.raw("</tbody></table>\n")
        }
        page.element("h2", "planned changes (\(changes.count))")
        page.raw(
            "<table class=\"changes\"><thead><tr><th>change</th><th>before → after</th>"
                + "<th>rule</th>"
                + "<th>reason</th></tr></thead><tbody>")
        for change in changes {
            page.raw("<tr data-kind=\"")
            page.text(change.kind.rawValue)
            page.raw("\">")
            page.element("td", change.kind.rawValue)
            page.raw("<td>")
            for line in HTMLReport.beforeAfter(change) { page.span("edit", line) }
            page.raw("</td>")
            page.element("td", change.reason.rule)
            page.raw("<td>")
            page.span("why", change.reason.text)
            for field in change.reason.fields { page.span("field", HTMLReport.fieldText(field)) }
            page.raw("</td></tr>\n")
        }
        page.raw("</tbody></table>\n")
        if !findings.isEmpty {
            page.element("h2", "findings")
            page.raw("<ul>")
            for finding in findings {
                page.element("li", "\(finding.kind.rawValue): \(finding.text)")
            }
            page.raw("</ul>\n")
        }
        page.close(script: "")
        return page.text
    }
}

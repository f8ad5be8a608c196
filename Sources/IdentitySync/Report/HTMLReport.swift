import Foundation

/// The plan as one self-contained HTML page for a change meeting: summary, chart, guards,
/// a table per category of change, the findings, and a search box.
///
/// Every value from HR or the directory is HTML-escaped here, and the page's script only
/// reads the tables and hides rows; it never turns text into markup. A Content-Security-
/// Policy allows no network at all and no script but the page's own (by its hash), so
/// even an injected handler could not run.
public enum HTMLReport {
    /// Facts about the document around the plan: its hash and when it was made.
    public struct Context: Sendable {
        public var contentHash: String?
        public var createdAt: String?
        public var redacted: [String]

        public init(contentHash: String? = nil, createdAt: String? = nil, redacted: [String] = []) {
            self.contentHash = contentHash
            self.createdAt = createdAt
            self.redacted = redacted
        }
    }

    public static func render(_ plan: Plan, context: Context = Context()) -> String {
        var page = HTMLPage()
        page.open(title: "idsync plan for \(plan.runDate)", script: script, style: style)
        header(plan, context: context, into: &page)
        summary(plan, into: &page)
        controls(plan, into: &page)
        let people = plan.peopleByKey
        for (category, changes) in byCategory(plan.changes) {
            changeTable(category, changes, people: people, into: &page)
        }
        findings(plan, people: people, into: &page)
        page.close(script: script)
        return page.text
    }

    // MARK: Parts of the page

    private static func header(_ plan: Plan, context: Context, into page: inout HTMLPage) {
        page.element("h1", "idsync plan for \(plan.runDate)")
        var facts = [
            ("run instant", plan.instant), ("feed", plan.feed),
            ("directory fingerprint", plan.directoryFingerprint)
        ]
        if let hash = context.contentHash { facts.append(("plan content hash", hash)) }
        if let created = context.createdAt { facts.append(("made at", created)) }
        facts.append(
            (
                "redacted fields",
                context.redacted.isEmpty
                    ? "none"
                    : context.redacted.joined(separator: ", ")
                        + " (shown only with --unredacted)"
            ))
        page.raw("<dl class=\"facts\">")
        for (name, value) in facts {
            page.raw("<div>")
            page.element("dt", name)
            page.element("dd", value)
            page.raw("</div>")
        }
        page.raw("</dl>\n")
    }

    /// The counts of the summary, each with a stable `data-count` name the tests read.
    static func counts(_ plan: Plan) -> [(name: String, label: String, value: Int)] {
        let s = plan.summary
        let mfa = plan.changes.filter { isMFAAction($0.kind.rawValue) }.count
        let held = plan.findings.filter { $0.kind.rawValue.contains("held") }.count
        return [
            ("joiners", "joiners", s.joiners), ("movers", "movers", s.movers),
            ("leavers", "leavers", s.leavers), ("contract-ended", "contract ends", s.contractEnded),
            ("rehires", "rehires", s.rehires), ("mfa-actions", "MFA actions", mfa),
            ("held", "held (grants waiting, duplicates)", held),
            ("protected", "protected accounts a change aimed at", s.protectedSkipped),
            ("orphans", "orphans", s.orphans),
            ("unmanaged-entries", "unmanaged entries", s.unmanagedEntries),
            ("quarantined", "quarantined rows", s.quarantined),
            ("changes", "changes", s.changes)
        ]
    }

    /// MFA flags, re-verification and revocations, whatever kinds the connectors add.
    static func isMFAAction(_ kind: String) -> Bool {
        kind.contains("mfa") || kind.contains("revoke") || kind.contains("authenticator")
    }

    private static func summary(_ plan: Plan, into page: inout HTMLPage) {
        page.raw("<section id=\"summary\">")
        page.element("h2", "Summary")
        let counts = counts(plan)
        page.raw("<dl class=\"counts\">")
        for count in counts {
            page.raw("<div>")
            page.element("dt", count.label)
            page.raw("<dd data-count=\"\(count.name)\">\(count.value)</dd></div>")
        }
        page.raw("</dl>\n")
        chart(counts.filter { $0.name != "changes" }, into: &page)
        tally("Changes by kind", "kind", plan.changes.map(\.kind.rawValue), into: &page)
        tally("Findings by kind", "finding", plan.findings.map(\.kind.rawValue), into: &page)
        guards(plan, into: &page)
        page.raw("</section>\n")
    }

    /// Bars of the counts: a small SVG drawn here, no library, no network.
    private static func chart(
        _ counts: [(name: String, label: String, value: Int)], into page: inout HTMLPage
    ) {
        let top = max(1, counts.map(\.value).max() ?? 1)
        let rowHeight = 18
        let height = counts.count * rowHeight + 4
        page.raw(
            "<svg class=\"chart\" role=\"img\" aria-label=\"counts\" width=\"600\" "
                + "height=\"\(height)\" "
                + "viewBox=\"0 0 600 \(height)\" xmlns=\"http://www.w3.org/2000/svg\">")
        for (row, count) in counts.enumerated() {
            let y = row * rowHeight + 2
            let width = count.value == 0 ? 0 : max(2, count.value * 260 / top)
            page.raw("<text x=\"0\" y=\"\(y + 13)\">")
            page.text(count.label)
            page.raw(
                "</text><rect x=\"250\" y=\"\(y + 2)\" width=\"\(width)\" height=\"13\"></rect>")
            page.raw("<text x=\"\(256 + width)\" y=\"\(y + 13)\">\(count.value)</text>")
        }
        page.raw("</svg>\n")
    }

    /// Counts by name, every name that occurs: a kind added later shows up here unasked.
    private static func tally(
        _ title: String, _ attribute: String, _ names: [String], into page: inout HTMLPage
    ) {
        guard !names.isEmpty else { return }
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        page.element("h3", title)
        page.raw("<ul class=\"tally\">")
        for name in counts.keys.sorted() {
            page.raw("<li data-\(attribute)=\"")
            page.text(name)
            page.raw("\">")
            page.text("\(name): \(counts[name]!)")
            page.raw("</li>")
        }
        page.raw("</ul>\n")
    }

    private static func guards(_ plan: Plan, into page: inout HTMLPage) {
        let verdict =
            plan.guards.isEmpty
            ? "not evaluated"
            : plan.isStopped ? "STOPPED: nothing will be written" : "passed"
        page.raw("<h3>Guards: <span id=\"verdict\" class=\"\(plan.isStopped ? "stop" : "ok")\">")
        page.text(verdict)
        page.raw("</span></h3>")
        guard !plan.guards.isEmpty else { return }
        page.raw(
            "<table id=\"guards\"><thead><tr><th>guard</th><th>verdict</th><th>count</th>"
                + "<th>numbers and threshold</th></tr></thead><tbody>")
        for guardVerdict in plan.guards {
            page.raw("<tr class=\"\(guardVerdict.passed ? "ok" : "stop")\">")
            page.cells([
                guardVerdict.guardName, guardVerdict.mark, counted(guardVerdict),
                guardVerdict.text
            ])
            page.raw("</tr>")
        }
        page.raw("</tbody></table>\n")
    }

    /// The guard's count with what it counts where the name does not say it, so that the
    /// feed-shrink guard's 0 reads as "none missing", not as a count that was not taken.
    private static func counted(_ verdict: GuardVerdict) -> String {
        switch verdict.guardName {
        case "empty-feed": return "\(verdict.count) records"
        case "bad-rows": return "\(verdict.count) quarantined"
        case "feed-shrink": return "\(verdict.count) fewer people than enabled accounts"
        default: return "\(verdict.count)"
        }
    }

    private static func controls(_ plan: Plan, into page: inout HTMLPage) {
        let kinds = Set(plan.changes.map(\.kind.rawValue)).sorted()
        let findingKinds = Set(plan.findings.map { "finding:" + $0.kind.rawValue }).sorted()
        page.raw(
            "<section id=\"controls\"><label>Search <input id=\"search\" type=\"search\" "
                + "placeholder=\"name, login, DN, department, reason\" "
                + "autocomplete=\"off\"></label> "
        )
        page.raw("<label>Kind <select id=\"kind\"><option value=\"\">all</option>")
        for kind in kinds + findingKinds {
            page.raw("<option value=\"")
            page.text(kind)
            page.raw("\">")
            page.text(kind)
            page.raw("</option>")
        }
        page.raw("</select></label> <span id=\"shown\"></span></section>\n")
    }

    /// The categories in their declared order, then any other in order of appearance.
    static func byCategory(_ changes: [Change]) -> [(ChangeCategory, [Change])] {
        var groups: [ChangeCategory: [Change]] = [:]
        var order: [ChangeCategory] = []
        for change in changes {
            if groups[change.category] == nil { order.append(change.category) }
            groups[change.category, default: []].append(change)
        }
        let declared = ChangeCategory.allCases.filter { groups[$0] != nil }
        let rest = order.filter { !declared.contains($0) }
        return (declared + rest).map { ($0, groups[$0]!) }
    }

    private static func changeTable(
        _ category: ChangeCategory, _ changes: [Change],
        people: [String: PlanPerson], into page: inout HTMLPage
    ) {
        page.raw("<section class=\"category\" data-category=\"")
        page.text(category.rawValue)
        page.raw("\">")
        page.element("h2", "\(category.rawValue) (\(changes.count) changes)")
        page.raw(
            "<table class=\"changes\"><thead><tr><th>person</th><th>login</th><th>department</th>"
                + "<th>change</th><th>before → after</th><th>reason</th></tr></thead><tbody>\n")
        for change in changes {
            let person = change.employeeID.flatMap { people[Person.key($0)] }
            page.raw("<tr data-kind=\"")
            page.text(change.kind.rawValue)
            page.raw("\"><td>")
            page.span("name", person?.name ?? "")
            page.span("id", change.employeeID ?? "")
            page.span("dn", change.dn)
            page.raw("</td>")
            page.cells([change.login ?? "", person?.department ?? "", change.kind.rawValue])
            page.raw("<td>")
            for line in beforeAfter(change) { page.span("edit", line) }
            page.raw("</td><td>")
            page.span("rule", change.reason.rule)
            page.span("why", change.reason.text)
            for field in change.reason.fields { page.span("field", fieldText(field)) }
            page.raw("</td></tr>\n")
        }
        page.raw("</tbody></table></section>\n")
    }

    /// What the change makes different, a line each: attribute values, the group or new DN,
    /// and for the lock changes the account's state.
    static func beforeAfter(_ change: Change) -> [String] {
        var lines = change.attributes.filter { $0.name.lowercased() != "objectclass" }.map { edit in
            "\(edit.name): \(edit.before.isEmpty ? "∅" : edit.before.joined(separator: " | ")) → "
                + (edit.after.isEmpty ? "∅" : edit.after.joined(separator: " | "))
        }
        switch change.kind {
        case .removeFromGroup: lines.append("member of \(change.target ?? "") → not a member")
        case .move: lines.append("\(change.dn) → \(change.target ?? "")")
        case .disable: lines.append("enabled → disabled")
        case .enable: lines.append("disabled → enabled")
        case .createAccount where change.createsLockedAccount:
            lines.append("∅ → created disabled until the start")
        default:
            if let target = change.target { lines.append("→ \(target)") }
        }
        return lines
    }

    static func fieldText(_ field: FieldEvidence) -> String {
        field.before.map { "\(field.field): \($0) → \(field.value)" }
            ?? "\(field.field) = \(field.value)"
    }

    private static func findings(
        _ plan: Plan, people: [String: PlanPerson], into page: inout HTMLPage
    ) {
        guard !plan.findings.isEmpty else { return }
        page.raw("<section class=\"category\" data-category=\"findings\">")
        page.element("h2", "Findings (\(plan.findings.count))")
        page.raw(
            "<table class=\"findings\"><thead><tr><th>kind</th><th>person</th><th>entry</th>"
                + "<th>what</th></tr></thead><tbody>\n")
        for finding in plan.findings {
            let person = finding.employeeID.flatMap { people[Person.key($0)] }
            page.raw("<tr data-kind=\"finding:")
            page.text(finding.kind.rawValue)
            page.raw("\"><td>")
            page.text(finding.kind.rawValue)
            page.raw("</td><td>")
            page.span("name", person?.name ?? "")
            page.span("id", finding.employeeID ?? "")
            page.raw("</td>")
            page.cells([finding.dn ?? "", finding.text])
            page.raw("</tr>\n")
        }
        page.raw("</tbody></table></section>\n")
    }

    // MARK: Style and script

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
        dl.facts div,dl.counts div{display:inline-block;margin:0 1.5em .5em 0;vertical-align:top}
        dt{font-size:.8em;color:#666}dd{margin:0;font-weight:600;word-break:break-all}
        dl.counts dd{font-size:1.4em}
        svg.chart text{font-size:12px;fill:#222}svg.chart rect{fill:#3b6ea5}
        ul.tally{columns:3;padding-left:1.2em}
        table{border-collapse:collapse;width:100%;margin-top:.5em}
        th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#eee;position:sticky;top:0}
        td span{display:block}td span.id,td span.dn,td span.field{font-size:.8em;color:#555}
        td span.rule{font-weight:600}
        .stop{color:#a00;font-weight:700}.ok{color:#060}
        #controls{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc}
        #search{width:24em}
        """

    /// Filters the rows already on the page. It reads text with textContent and writes only
    /// `hidden` and counts: no value ever becomes markup. `#q=text&kind=disable` in the
    /// address fills the search box and picks the kind, then sends the same events typing and
    /// choosing do, so a filtered view can be linked to (and tested headless).
    static let script = """
        (function () {
          var rows = Array.prototype.slice.call(document.querySelectorAll('tbody tr[data-kind]'));
          var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
          var sections = Array.prototype.slice.call(document.querySelectorAll('section.category'));
          var search = document.getElementById('search');
          var kind = document.getElementById('kind');
          var shown = document.getElementById('shown');
          function filter() {
            var started = performance.now();
            var query = search.value.trim().toLowerCase();
            var wanted = kind.value;
            var count = 0;
            for (var i = 0; i < rows.length; i++) {
              var show = (!wanted || rows[i].getAttribute('data-kind') === wanted)
                && (!query || texts[i].indexOf(query) >= 0);
              rows[i].hidden = !show;
              if (show) { count++; }
            }
            sections.forEach(function (section) {
              section.hidden = !section.querySelector('tbody tr:not([hidden])');
            });
            shown.textContent = count + ' of ' + rows.length + ' rows shown';
            document.body.setAttribute('data-shown', String(count));
            document.body.setAttribute('data-filter-ms', (performance.now() - started).toFixed(1));
          }
          search.addEventListener('input', filter);
          kind.addEventListener('change', filter);
          filter();
          var linked = new URLSearchParams(location.hash.slice(1));
          if (linked.has('kind')) {
            kind.value = linked.get('kind');
            kind.dispatchEvent(new Event('change'));
          }
          if (linked.has('q')) {
            search.value = linked.get('q');
            search.dispatchEvent(new Event('input'));
          }
          document.body.setAttribute('data-ready-ms', performance.now().toFixed(1));
        })();
        """
}

/// The text of an HTML page being written, with escaping done in one place.
struct HTMLPage {
    private(set) var text = ""

    mutating func open(title: String, script: String, style: String) {
        let scriptHash = Data(SHA256.digest(of: script)).base64EncodedString()
        raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        raw(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                + "style-src 'unsafe-inline'; script-src 'sha256-\(scriptHash)'; img-src data:\">\n"
        )
        raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        element("title", title)
        raw("\n<style>\(style)</style></head>\n<body>\n")
    }

    mutating func close(script: String) {
        raw(script.isEmpty ? "</body></html>\n" : "<script>\(script)</script>\n</body></html>\n")
    }

    mutating func raw(_ markup: String) {
        text += markup
    }

    /// Text content or an attribute value: `&`, `<`, `>`, `"` and `'` become references.
    mutating func text(_ value: String) {
        text += HTMLPage.escaped(value)
    }

    mutating func element(_ name: String, _ value: String) {
        raw("<\(name)>")
        text(value)
        raw("</\(name)>")
    }

    mutating func span(_ className: String, _ value: String) {
        guard !value.isEmpty else { return }
        raw("<span class=\"\(className)\">")
        text(value)
        raw("</span>")
    }

    mutating func cells(_ values: [String]) {
        for value in values { element("td", value) }
    }

    static func escaped(_ value: String) -> String {
        guard
            value.utf8.contains(where: {
                $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27
            })
        else { return value }
        var output = ""
        output.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

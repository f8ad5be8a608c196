import Foundation

/// The plan as people read it in a terminal: summary, guards, changes by kind, findings.
public enum TextReport {
    public static func render(_ plan: Plan) -> String {
        var lines: [String] = []
        let s = plan.summary
        lines.append("idsync plan for \(plan.runDate) (instant \(plan.instant))")
        lines.append("feed: \(plan.feed): \(s.peopleInFeed) people, \(s.quarantined) quarantined rows")
        lines.append("directory: \(s.accountsObserved) accounts observed")
        if let hash = plan.configHash { lines.append("config: \(hash)") }
        lines.append("")
        lines.append("joiners \(s.joiners)  movers \(s.movers)  leavers \(s.leavers)  "
                     + "contract ended \(s.contractEnded)  rehires \(s.rehires)  orphans \(s.orphans)  "
                     + "unmanaged entries \(s.unmanagedEntries)  changes \(s.changes)")
        lines.append("")
        lines.append(contentsOf: guardLines(plan))
        // The changes' positions by category in one pass: a filter per category copied
        // every change of a 400,000-change plan seven times.
        let positions = Dictionary(grouping: plan.changes.indices) { plan.changes[$0].category }
        for category in ChangeCategory.allCases {
            lines.append(contentsOf: changeLines(plan, positions[category] ?? [], category: category))
        }
        if !plan.findings.isEmpty {
            lines.append("")
            lines.append("findings:")
            for finding in plan.findings {
                let who = finding.employeeID.map { "[\($0)] " } ?? ""
                lines.append("  \(finding.kind.rawValue): \(who)\(finding.text)\(finding.dn.map { " (\($0))" } ?? "")")
            }
        }
        return lines.map(visible).joined(separator: "\n") + "\n"
    }

    /// The line with control characters and bidirectional overrides written as `\u{1B}`:
    /// HR text must not start a line of its own, colour a terminal or reorder what a
    /// reader of the cron mail sees.
    public static func visible(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: isHidden) else { return line }
        var output = ""
        for scalar in line.unicodeScalars {
            if isHidden(scalar) {
                output += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func guardLines(_ plan: Plan) -> [String] {
        guard !plan.guards.isEmpty else { return [] }
        let overridden = plan.guards.filter(\.overridden)
        var verdict = plan.isStopped ? "STOPPED, nothing will be written" : "passed"
        if !plan.isStopped && !overridden.isEmpty { verdict += " (overridden for this run by --allow-changes)" }
        var lines = ["guards: " + verdict]
        for verdict in plan.guards where !verdict.passed || verdict.overridden || plan.isStopped {
            lines.append("  \(verdict.mark) \(verdict.guardName): \(verdict.text)")
        }
        return lines
    }

    private static func changeLines(_ plan: Plan, _ positions: [Int],
                                    category: ChangeCategory) -> [String] {
        guard !positions.isEmpty else { return [] }
        var lines = ["", "\(category.rawValue) (\(positions.count) changes):"]
        for position in positions {
            let change = plan.changes[position]
            lines.append("  " + describe(change))
            // An attribute update already shows its values before and after on its own line.
            if !change.reason.text.isEmpty, change.kind != .setAttributes {
                let fields = change.reason.fields.map { field in
                    field.before.map { "\(field.field): \($0) → \(field.value)" } ?? "\(field.field)=\(field.value)"
                }.joined(separator: ", ")
                lines.append("      why: \(change.reason.rule): \(change.reason.text)"
                             + (fields.isEmpty ? "" : " [\(fields)]"))
            }
        }
        return lines
    }

    /// One line per change: what, on whom, before → after.
    public static func describe(_ change: Change) -> String {
        let who = [change.employeeID, change.login].compactMap { $0 }.joined(separator: " ")
        let subject = who.isEmpty ? change.dn : "\(who) \(change.dn)"
        switch change.kind {
        case .addToGroup, .removeFromGroup, .flagMFAEnrollment, .requireMFAReverification:
            return "\(change.kind.rawValue) \(subject) → \(change.target ?? "")"
        case .move:
            return "move \(subject) → \(change.target ?? "")"
        case .setAttributes:
            let edits = change.attributes.filter { $0.name.lowercased() != "objectclass" }
                .map { "\($0.name): \($0.before.joined(separator: "|")) → \($0.after.joined(separator: "|"))" }
            let shown = edits.isEmpty ? change.wipeDescription ?? "idsync state" : nil
            return "set-attributes \(subject)" + (shown.map { " (\($0))" } ?? " " + edits.joined(separator: "; "))
        case .revokeAuthenticators, .deleteAuthenticators, .unassignAuthenticators, .revokeSessions,
             .ensureMFAUser, .resetMFAFailCounters:
            let held = change.attributes.first { $0.name == "authenticators" }?.before ?? []
            return "\(change.kind.rawValue) \(subject) in \(change.target ?? "")"
                + (held.isEmpty ? "" : ": " + held.joined(separator: ", "))
        case .createAccount where change.createsLockedAccount:
            return "create-account \(subject) (disabled until the start date)"
        case _ where change.wipe != nil:
            return "\(change.kind.rawValue) \(subject) (\(change.wipeDescription ?? ""))"
        default:
            return "\(change.kind.rawValue) \(subject)"
        }
    }
}

extension TextReport {
    /// What applying did: counts, then every change that failed or was skipped, with the
    /// directory's result code and text.
    public static func render(outcomes: [ChangeOutcome]) -> String {
        let failed = outcomes.filter { $0.failure.map { !$0.outcomeUnknown } ?? false }
        let unknown = outcomes.filter { $0.failure?.outcomeUnknown ?? false }
        let skipped = outcomes.filter { $0.skipped != nil }
        var lines = ["", "applied: \(outcomes.count - failed.count - unknown.count - skipped.count) ok, "
                     + "\(failed.count) failed, \(skipped.count) skipped"
                     + (unknown.isEmpty ? "" : ", \(unknown.count) unknown")]
        for outcome in failed {
            lines.append("  FAILED \(describe(outcome.change)): \(outcome.failure!)")
        }
        for outcome in unknown {
            lines.append("  UNKNOWN \(describe(outcome.change)): sent, but no reply came (\(outcome.failure!))")
        }
        for outcome in skipped {
            lines.append("  skipped \(describe(outcome.change)): \(outcome.skipped!)")
        }
        return lines.map(visible).joined(separator: "\n") + "\n"
    }
}

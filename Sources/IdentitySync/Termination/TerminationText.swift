import Foundation

/// What `idsync terminate` prints: who it found, before asking, and the receipt afterwards.
/// Directory values go through `TextReport.visible`, so none can move the cursor or fake a
/// line of its own on the operator's terminal.
public enum TerminationText {
    /// The account and what terminating it will do. `authenticators` are lines such as
    /// `privacyidea: TOTP0001 (totp)`, one per MFA system, when MFA connectors are configured.
    public static func found(
        _ steps: TerminationSteps, key: AccountKey, authenticators: [String],
        mfa: [String] = []
    ) -> String {
        let found = steps.found
        let account = found.account
        var lines = ["found 1 account for the \(key):"]
        lines.append("  name:            \(found.name ?? "(none)")")
        lines.append("  dn:              \(account.dn.string)")
        lines.append(
            "  employee id:     \(account.employeeID ?? "(none)")   login: \(account.login)")
        lines.append("  title:           \(found.title ?? "(none)")")
        lines.append("  manager:         \(found.manager ?? "(none)")")
        lines.append("  now:             \(describe(account))")
        lines.append("  managed groups:  " + list(steps.managedGroups.map(\.string)))
        let others = found.groups.filter { !steps.managedGroups.contains($0) }
        if !others.isEmpty {
            lines.append("  other groups:    \(list(others.map(\.string))) (idsync leaves them)")
        }
        for line in authenticators { lines.append("  authenticators:  \(line)") }
        if let why = steps.protectedReason {
            lines.append(
                "  PROTECTED:       \(why); --emergency-protected was given: an emergency lock")
        }
        lines.append("to do:             " + todo(steps, mfa: mfa))
        return lines.map(TextReport.visible).joined(separator: "\n") + "\n"
    }

    public static func describe(_ account: ObservedAccount) -> String {
        let state = account.state
        var text: String
        switch account.lock {
        case .none: text = "enabled"
        case .administrative:
            text = state?.disabledBy != nil ? "disabled by idsync" : "disabled outside idsync"
        case .other(let value): text = "locked by the directory (\(value))"
        }
        if let date = state?.terminatedOn {
            text += ", terminated on demand on \(date) (\(state?.terminationRef ?? "no reference"))"
        }
        return text
    }

    static func todo(_ steps: TerminationSteps, mfa: [String] = []) -> String {
        var parts: [String] = []
        if let change = steps.disable {
            parts.append(
                change.kind == .disable
                    ? "disable the account" : "record the termination on the locked account")
        }
        if !steps.groupRemovals.isEmpty {
            parts.append("remove it from \(steps.groupRemovals.count) managed groups")
        }
        let directory =
            parts.isEmpty
            ? "nothing in the directory (done already)" : parts.joined(separator: ", ")
        guard !mfa.isEmpty else { return directory }
        return directory + "; revoke what is left in " + mfa.joined(separator: ", ")
    }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "(none)" : items.joined(separator: "; ")
    }

    /// Each step with its result and time, the total, and what is left to do.
    public static func receipt(
        _ outcomes: [StepOutcome], run: String, seconds: Double, notes: [String]
    ) -> String {
        var lines = ["", "receipt (audit run \(run)):"]
        for outcome in outcomes {
            let mark: String
            switch outcome.result {
            case .done: mark = "ok    "
            case .alreadyDone: mark = "done  "
            case .failed: mark = "FAILED"
            }
            var line =
                "  \(mark) \(outcome.step) \(outcome.target)  \(milliseconds(outcome.seconds))"
            if case .failed(let why) = outcome.result { line += ": \(why)" }
            if let detail = outcome.detail { line += " (\(detail))" }
            lines.append(line)
        }
        for note in notes { lines.append("  note: \(note)") }
        let failed = outcomes.filter { $0.result.isFailure }
        lines.append(
            "\(outcomes.count - failed.count) of \(outcomes.count) steps done in "
                + String(format: "%.2f s", seconds))
        if !failed.isEmpty {
            lines.append(
                "left: " + failed.map { "\($0.step) \($0.target)" }.joined(separator: "; "))
            lines.append(
                "run the same command again to finish what is left; "
                    + "the nightly sync also retries it"
            )
        }
        return lines.map(TextReport.visible).joined(separator: "\n") + "\n"
    }

    static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.0f ms", seconds * 1000)
    }
}

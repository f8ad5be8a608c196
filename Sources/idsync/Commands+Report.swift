import Connectors
import Foundation
import IdentitySync

extension Commands {
    /// The report in the format asked for, with the fields of `report.redact` hidden unless
    /// `--unredacted` was given.
    func render(
        _ plan: Plan, outcomes: [ChangeOutcome]?, config: Config, feed: FeedSnapshot?,
        directory: ObservedDirectory, actor: Actor? = nil
    ) throws -> String {
        let redaction = Redaction(config: config.report, layout: config.feed.layout, feed: feed)
        let hidden = arguments.unredacted ? [] : config.report.redact
        let shown = arguments.unredacted ? plan : redaction.apply(to: plan)
        switch arguments.format {
        case "json":
            return try JSONReport.render(
                shown, directory: directory, redacted: hidden, outcomes: outcomes)
        case "csv":
            return CSVReport.render(shown)
        case "html":
            let document = PlanDocument(
                plan: shown, directory: directory, createdAt: Date(), redacted: hidden)
            return HTMLReport.render(
                shown,
                context: HTMLReport.Context(
                    contentHash: document.contentHash, createdAt: document.createdAt,
                    redacted: hidden.sorted()))
        default:
            return TextReport.render(shown) + textReportEnd(outcomes: outcomes, config: config)
        }
    }

    /// The text report's plan part, as `render` shows it: it does not depend on the
    /// outcomes, so a sync renders it while the directory is busy with the writes.
    func textReportStart(_ plan: Plan, config: Config, feed: FeedSnapshot?) -> String {
        let redaction = Redaction(config: config.report, layout: config.feed.layout, feed: feed)
        return TextReport.render(arguments.unredacted ? plan : redaction.apply(to: plan))
    }

    /// What follows the plan in a text report: the outcomes, and which fields are redacted.
    func textReportEnd(outcomes: [ChangeOutcome]?, config: Config) -> String {
        let hidden = arguments.unredacted ? [] : config.report.redact
        let note =
            hidden.isEmpty
            ? ""
            : "redacted fields: \(hidden.sorted().joined(separator: ", ")) "
                + "(--unredacted shows them)\n"
        return (outcomes.map(TextReport.render(outcomes:)) ?? "") + note
    }

    /// `idsync apply --plan FILE`: plans again, refuses a stale plan or one whose targets
    /// moved (exit 3, nothing written), and applies only the saved changes that are planned
    /// again identically, with the guards run on what will be written.
    func applySaved(_ config: Config) throws -> ExitStatus {
        let path = arguments.planPath ?? ""
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SavedPlanProblem("cannot read the plan \(path)")
        }
        let saved = try PlanDocument.read(data, file: path)
        let lock = try RunLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }

        let actor = Actor(
            bindIdentity: config.directory.bindDN, osUser: Commands.osUser(),
            reason: arguments.reason, plan: saved.contentHash, approvedBy: arguments.approvedBy)
        let audit = try AuditLog(
            path: config.auditPath, run: recorder.run, actor: actor, configHash: config.hash)
        try audit.recordStart(claiming: lock) {
            $0.detail =
                "apply --plan \(path) (\(saved.contentHash), made \(saved.createdAt)), approved by "
                + (arguments.approvedBy ?? "nobody: changes that need approval are held")
        }
        do {
            return try applySaved(saved, config: config, audit: audit)
        } catch let error where !(error is AuditError) {
            try audit.recordStopped("\(error)", exitCode: Commands.verdict(error).0)
            throw error
        }
    }

    private func applySaved(
        _ saved: PlanDocument, config: Config, audit: AuditLog
    ) throws -> ExitStatus {
        let (run, fresh, observed, connector, mfa, feed) = try observeAndPlan(config)
        defer { connector.close() }
        let selection = try SavedPlanSelection.select(
            saved: saved, fresh: fresh, directory: observed, now: Date(),
            maxAge: config.approval.maxPlanAge)
        var plan = ApprovalGate(config: config).holding(
            selection.plan, approved: arguments.approvedBy != nil,
            how: "give --approved-by NAME to apply it")
        plan.findings += selection.noLongerPlanned.map {
            notApplied($0, "in the approved plan, no longer planned")
        }
        plan.findings += selection.notApproved.map {
            notApplied($0, "planned now, not in the approved plan")
        }
        plan.findings += selection.waiting.map {
            notApplied($0, "waits for this person's account creation, enable or move, not applied")
        }
        let override = arguments.allowChanges.map {
            GuardOverride(allowedChanges: $0, reason: arguments.reason ?? "")
        }
        let privileged = config.roles.managedGroups.filter(config.roles.isPrivileged).map {
            config.groupDN($0).string
        }
        plan.guards = Guards(
            config: config.guards, maxBadRows: config.feed.maxBadRows,
            privilegedGroups: Set(privileged)
        )
        .evaluate(plan, feed: feed, directory: observed, override: override)
        let report = { (outcomes: [ChangeOutcome]?) in
            try render(plan, outcomes: outcomes, config: config, feed: feed, directory: observed)
        }
        try audit.append {
            $0.event = "run-summary"
            $0.summary = plan.summary
            $0.detail =
                "\(plan.changes.count) of the plan's \(saved.plan.changes.count) changes to apply; "
                + plan.guards.map { "\($0.guardName): \($0.mark) \($0.text)" }.joined(
                    separator: " | ")
        }
        guard !plan.isStopped else {
            try audit.recordStopped("a guard stopped the run", exitCode: .stopped)
            try emit(report(nil))
            return .stopped
        }
        let result = try run.apply(
            plan, directory: observed, connector: connector, audit: audit, mfa: mfa)
        let text = try report(result.outcomes)
        try emit(arguments.format == "text" ? text + "audit log: \(audit.path)\n" : text)
        let held = plan.findings.contains { $0.kind == .held }
        let status = held && result.status == .success ? .partial : result.status
        let failures = result.outcomes.filter { !$0.succeeded }.count
        try audit.recordEnd(status) {
            $0.detail =
                "\(result.outcomes.count - failures) applied, \(failures) failed, "
                + "unknown or skipped"
        }
        return status
    }

    private func notApplied(_ change: Change, _ why: String) -> Finding {
        Finding(
            kind: .held, employeeID: change.employeeID, dn: change.dn,
            text: "\(why): \(change.kind.rawValue)" + (change.target.map { " → \($0)" } ?? "")
                + "; not applied")
    }

    /// `idsync explain --employee ID`: one person's record, desired and observed account,
    /// planned changes and their rules. Reads only, like `plan`.
    func explain(_ config: Config) throws -> ExitStatus {
        let (_, plan, observed, connector, _, feed) = try observeAndPlan(config)
        defer { connector.close() }
        let redaction = Redaction(config: config.report, layout: config.feed.layout, feed: feed)
        let table = try? CSVReader.read(
            path: config.feed.path, delimiter: config.feed.layout.delimiter)
        let shown = arguments.unredacted ? plan : redaction.apply(to: plan)
        let explanation = Explanation(
            employeeID: arguments.employeeID ?? "", config: config, feed: feed,
            table: table, directory: observed, plan: shown,
            instant: try instant(config),
            redaction: arguments.unredacted ? nil : redaction)
        try emit(arguments.format == "html" ? explanation.html() : explanation.text())

        let key = Person.key(arguments.employeeID ?? "")
        let known = feed.people.contains { $0.key == key }
            || feed.quarantined.contains { $0.employeeID.map(Person.key) == key }
            || observed.accounts.contains { $0.employeeID.map(Person.key) == key }
        guard known else {
            return fail(.usage, "no person with employee id '\(arguments.employeeID ?? "")' in the feed "
                        + "\(feed.origin) or the directory; check the id")
        }
        return .success
    }

    /// `idsync report --plan FILE`: a saved plan rendered as it is, with its own hash.
    func renderSaved(_ config: Config) throws -> ExitStatus {
        let path = arguments.planPath ?? ""
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SavedPlanProblem("cannot read the plan \(path)")
        }
        var clock = StageClock()
        let saved = try PlanDocument.read(data, file: path)
        clock.lap("read and check the plan")
        let text: String
        switch arguments.format {
        case "json": text = try saved.rendered()
        case "csv": text = CSVReport.render(saved.plan)
        case "html":
            text = HTMLReport.render(
                saved.plan,
                context: HTMLReport.Context(
                    contentHash: saved.contentHash, createdAt: saved.createdAt,
                    redacted: saved.redacted))
        default:
            text =
                TextReport.render(saved.plan)
                + "plan \(saved.contentHash), made \(saved.createdAt)\n"
        }
        clock.lap("render")
        clock.report()
        try emit(text)
        return .success
    }
}

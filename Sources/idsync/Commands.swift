import Connectors
import Foundation
import IdentitySync

/// Runs one command and returns the exit status; everything printed goes through here.
struct Commands {
    let arguments: Arguments
    let recorder = RunRecorder()

    func run() -> ExitStatus {
        let status = runCommand()
        guard arguments.command == .sync, !recorder.finished else { return status }
        return recorder.finish(status)
    }

    private func runCommand() -> ExitStatus {
        let status: ExitStatus
        let message: String
        do {
            let config = try ConfigLoader.load(path: arguments.configPath)
            recorder.config = config
            try config.checkReferencedFiles()
            switch arguments.command {
            case .validate: return try validate(config)
            case .plan: return try planOrSync(config, apply: false)
            case .sync: return try planOrSync(config, apply: true)
            case .adopt: return try adopt(config)
            case .terminate: return try TerminateCommand(arguments: arguments, config: config).terminate()
            case .reinstate: return try TerminateCommand(arguments: arguments, config: config).reinstate()
            case .apply: return try applySaved(config)
            case .report: return try renderSaved(config)
            case .explain: return try explain(config)
            }
        } catch {
            (status, message) = Commands.verdict(error)
        }
        return fail(status, message)
    }

    /// The exit status and the message for an error that ended a command; a run-end record
    /// names the same code the command exits with.
    static func verdict(_ error: Error) -> (ExitStatus, String) {
        switch error {
        case let error as RunLockError:
            // Another run holds it: 4. A lock file idsync refuses is the site's to fix: 2.
            guard case .refused = error else { return (.locked, "\(error)") }
            return (.usage, "\(error)")
        case let error as FeedError: return (.stopped, "\(error); nothing was written")
        case let error as SavedPlanProblem: return (.stopped, "\(error); nothing was written")
        case let error as ObserveError: return (.stopped, "\(error)")
        case let error as ConfigProblem: return (.usage, "\(error)")
        case let error as ReviewFileError: return (.stopped, "\(error)")
        case let error as AuditError:
            // Before any write: 3, or 2 for a path the site must fix; after some: 1.
            let status: ExitStatus = error.isSetupProblem ? .usage : .stopped
            return (error.changesSent > 0 ? .partial : status, "\(error)")
        case let error as DirectoryUnavailable:
            let status: ExitStatus = error.isInvalidCredentials ? .usage : .stopped
            return (status, "\(error); nothing was written")
        default: return (.usage, "\(error)")
        }
    }

    func fail(_ status: ExitStatus, _ message: String) -> ExitStatus {
        Output.error("idsync: \(message)\n")
        return status
    }

    /// The run's instant: --at, or local midnight of --today in the site's zone, or now.
    func instant(_ config: Config) throws -> Date {
        if let at = arguments.at {
            guard let date = ISO8601DateFormatter().date(from: at) else {
                throw ConfigProblem("--at '\(at)' is not an ISO 8601 instant such as 2026-12-04T02:15:00Z")
            }
            return try inRange(date, "--at '\(at)'")
        }
        if let today = arguments.today {
            let date: LocalDate
            do {
                date = try DateLayout("yyyy-MM-dd").parse(today)
            } catch let error as DateValueError where error.outOfRange {
                throw ConfigProblem("--today '\(today)' lies outside the dates idsync takes "
                                    + "(1900-01-01 to 9998-12-31); give the run's date, "
                                    + "such as 2026-12-04")
            } catch {
                throw ConfigProblem("--today '\(today)' is not a date such as 2026-12-04")
            }
            return try inRange(date.startOfDay(in: config.timeZone), "--today '\(today)'")
        }
        return Date()
    }

    /// The instant, where idsync's dates can hold it: before 1582 Foundation's calendar
    /// turned 0001-01-01 into 0001-12-31.
    private func inRange(_ instant: Date, _ option: String) throws -> Date {
        guard LocalDate.instants.contains(instant) else {
            throw ConfigProblem("\(option) lies outside the instants idsync takes "
                                + "(\(LocalDate.instantsText)); give the run's instant, such as "
                                + "2026-12-04T02:15:00Z")
        }
        return instant
    }

    private func validate(_ config: Config) throws -> ExitStatus {
        _ = try DirectorySession.bindPassword(config.directory, environment: ProcessInfo.processInfo.environment)
        try config.exceptions.checkHorizon(today: LocalDate(try instant(config), in: config.timeZone))
        // Built as plan and sync build them (secrets read, URLs checked), but not contacted.
        let connectors = try MFAConnectors.make(config.mfa)
        let feed = try Feeds.feed(config).read()
        print("config \(config.file): ok (bind password source readable and private)")
        print("config hash \(config.hash) of \(config.files.joined(separator: ", "))")
        if !connectors.isEmpty {
            let names = connectors.map(\.traits.name).joined(separator: ", ")
            print("mfa connectors \(names): ok (secrets readable and private, URLs acceptable; "
                  + "not contacted)")
        }
        print("feed \(feed.origin): \(feed.rowCount) rows, \(feed.people.count) people, "
              + "\(feed.quarantined.count) quarantined")
        if let date = feed.date {
            let age = FeedSnapshot.duration(date.age(at: Date()))
            let limit = config.feed.maxAge.map(FeedSnapshot.duration) ?? "none (feed.max_age)"
            print("feed age: \(age) (\(date.source)), limit \(limit)")
        }
        for notice in feed.notices { print("  note: \(notice)") }
        for finding in feed.managerFindings(layout: config.feed.layout) {
            print("  manager [\(finding.employeeID ?? "")]: \(finding.text)")
        }
        for record in feed.quarantined {
            print("  quarantined \(record.source): \(record.problems.joined(separator: "; "))")
        }
        if config.directory.passwordPolicy == nil {
            return fail(.usage, "\(config.file): directory.password_policy is not set, so idsync "
                        + "cannot confirm that a ppolicy lock stops binds: every disable (a "
                        + "leaver's, and an account created before its start date) will fail at "
                        + "sync; name the policy entry with pwdLockout: TRUE (README, 'Disabling "
                        + "in OpenLDAP')")
        }
        if feed.rowCount == 0 {
            return fail(.stopped, "the feed \(feed.origin) is empty; a sync would stop")
        }
        if feed.quarantined.count > config.feed.maxBadRows {
            return fail(.stopped, "the feed \(feed.origin) has \(feed.quarantined.count) bad rows, more than "
                        + "feed.max_bad_rows (\(config.feed.maxBadRows)); a sync would stop")
        }
        do {
            try feed.checkAge(maxAge: config.feed.maxAge, now: Date())
        } catch {
            return fail(.stopped, "\(error); a sync would stop")
        }
        return feed.quarantined.isEmpty ? .success : .partial
    }

    private func planOrSync(_ config: Config, apply: Bool) throws -> ExitStatus {
        guard apply else { return try plan(config) }
        let lock = try RunLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }

        // A sync leaves a trace in the audit log from its first step, also when it stops.
        let audit = try AuditLog(path: config.auditPath, run: recorder.run,
                                 actor: Actor(bindIdentity: config.directory.bindDN, osUser: Commands.osUser(),
                                              reason: arguments.reason),
                                 configHash: config.hash)
        try audit.recordStart(claiming: lock) {
            $0.detail = "config \(config.file), feed \(config.feed.path)"
        }
        do {
            return try sync(config, audit: audit)
        } catch let error where !(error is AuditError) {
            try audit.recordStopped("\(error)", exitCode: Commands.verdict(error).0)
            throw error
        }
    }

    /// Steps 1 to 5 only: the plan, printed; nothing is written anywhere.
    private func plan(_ config: Config) throws -> ExitStatus {
        let (_, plan, observed, connector, _, feed) = try observeAndPlan(config)
        defer { connector.close() }
        try emit(render(plan, outcomes: nil, config: config, feed: feed, directory: observed))
        // Disables a sync would fail are failures ahead: 1, as the sync will exit.
        let failing = plan.findings.contains { $0.kind == .disableUnconfirmed }
        return plan.isStopped ? .stopped : (plan.needsAttention || failing ? .partial : .success)
    }

    /// 1-4. Feed, observe, plan, guards: nothing is written before the verdict.
    func observeAndPlan(_ config: Config)
        throws -> (SyncRun, Plan, ObservedDirectory, OpenLDAPDirectory, [MFAConnector], FeedSnapshot) {
        let override = arguments.allowChanges.map { GuardOverride(allowedChanges: $0, reason: arguments.reason ?? "") }
        let at = try instant(config)
        try config.exceptions.checkHorizon(today: LocalDate(at, in: config.timeZone))
        let run = SyncRun(config: config, instant: at, override: override)
        let mfa = try MFAConnectors.make(config.mfa)
        var clock = StageClock()
        // The feed is read on a second thread while the directory is read: the one waits on
        // the disk and the parser, the other on slapd.
        let feedRead = BackgroundJob {
            let feed = try Feeds.feed(config).read()
            recorder.feedAge = feed.date?.age(at: Date())
            try feed.checkAge(maxAge: config.feed.maxAge, now: Date())
            return feed
        }
        let connector: OpenLDAPDirectory
        let observed: ObservedDirectory
        do {
            connector = OpenLDAPDirectory(connection: try DirectorySession.open(config.directory), config: config)
            observed = try connector.observe()
        } catch {
            _ = try feedRead.result()      // a feed that cannot be trusted is the first thing to say
            throw error
        }
        clock.lap("observe")
        let feed = try feedRead.result()
        clock.lap("rest of the feed")
        let plan = run.plan(feed: feed, directory: observed, mfa: mfa)
        clock.lap("plan")
        clock.report()
        return (run, plan, observed, connector, mfa, feed)
    }

    /// 5-6. Report and apply, with the audit log around it.
    private func sync(_ config: Config, audit: AuditLog) throws -> ExitStatus {
        let (run, planned, observed, connector, mfa, feed) = try observeAndPlan(config)
        defer { connector.close() }
        // Changes that wait for approval go through 'idsync apply --plan' instead.
        let plan = ApprovalGate(config: config).holding(planned, approved: false,
                                                        how: "approve a saved plan: idsync apply --plan FILE --approved-by NAME")
        let report = { (outcomes: [ChangeOutcome]?) in
            try render(plan, outcomes: outcomes, config: config, feed: feed, directory: observed)
        }
        try audit.append { $0.event = "run-summary"; $0.summary = plan.summary
            $0.detail = plan.guards.map { "\($0.guardName): \($0.mark) \($0.text)" }
                .joined(separator: " | ") }
        guard !plan.isStopped else {
            try audit.recordStopped("a guard stopped the run", exitCode: .stopped)
            try emit(report(nil))
            return .stopped
        }
        // The text report's plan part waits on nothing the writes change: it is rendered on
        // a second thread while slapd works through them.
        let planText = arguments.format == "text"
            ? BackgroundJob { textReportStart(plan, config: config, feed: feed) } : nil
        var clock = StageClock()
        let result = try run.apply(plan, directory: observed, connector: connector, audit: audit, mfa: mfa)
        clock.lap("apply", phases: result.phaseTimes)
        recorder.outcomes = result.outcomes
        try audit.writeLater()
        var text = try planText.map {
            try $0.result() + textReportEnd(outcomes: result.outcomes, config: config)
        } ?? report(result.outcomes)
        if let lost = result.connectionLost {
            text += "the directory connection was lost: \(lost); the next run repairs what was not applied\n"
        }
        try emit(arguments.format == "text" ? text + "audit log: \(audit.path)\n" : text)
        clock.lap("report")
        clock.report()

        // The monitoring files, then the run-end record with the code the run exits with.
        let status = recorder.finish(result.status)
        let failures = result.outcomes.filter { !$0.succeeded }.count
        try audit.recordEnd(status) {
            $0.detail = "\(result.outcomes.count - failures) applied, \(failures) failed, "
                + "unknown or skipped"
                + (result.connectionLost.map { "; the directory connection was lost: \($0)" } ?? "")
        }
        return status
    }

    /// Writes the report to --out (mode 0600) or standard output.
    func emit(_ text: String) throws {
        guard let path = arguments.outPath else {
            Output.write(text)
            return
        }
        try PrivateFile.write(text, to: path, role: "--out")
    }

    static func osUser() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}

/// Stage timings on standard error when IDSYNC_TIMINGS is set, for benchmarks and for an
/// operator asking where a slow night went.
struct StageClock {
    private var last = Date()
    private var laps: [String] = []
    private let enabled = ProcessInfo.processInfo.environment["IDSYNC_TIMINGS"] != nil

    mutating func lap(_ stage: String) {
        guard enabled else { return }
        let now = Date()
        laps.append("\(stage) \(String(format: "%.3f", now.timeIntervalSince(last))) s"
                    + (StageClock.peakMemory().map { " (peak RSS \($0) MB)" } ?? ""))
        last = now
    }

    /// A lap made of the executor's phases: each with its writes and seconds.
    mutating func lap(_ stage: String, phases: [(phase: String, writes: Int, seconds: Double)]) {
        lap(stage)
        guard enabled, !phases.isEmpty else { return }
        let parts = phases.map {
            "\($0.phase) \($0.writes) writes \(String(format: "%.3f", $0.seconds)) s"
        }
        laps[laps.count - 1] += " (" + parts.joined(separator: ", ") + ")"
    }

    func report() {
        guard enabled else { return }
        Output.error("idsync timings: " + laps.joined(separator: ", ") + "\n")
    }

    /// The process's peak resident memory so far (VmHWM), in MB: which stage grew it.
    private static func peakMemory() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            return nil
        }
        return kilobytes / 1024
    }
}

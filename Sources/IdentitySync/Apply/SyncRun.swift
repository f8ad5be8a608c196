import Foundation

/// How a run ended, in the exit codes cron reads (DESIGN: exit codes).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case partial = 1
    case usage = 2
    case stopped = 3
    case locked = 4
}

/// The result of `plan` or `sync`: the plan, and for a sync what applying it did.
public struct RunResult: Sendable {
    public let plan: Plan
    public let outcomes: [ChangeOutcome]
    public let status: ExitStatus
    /// Why sending stopped early, when the directory connection was lost.
    public let connectionLost: String?
    /// The executor's phases with their writes and wall time (`Executor.phaseTimes`).
    public var phaseTimes: [(phase: String, writes: Int, seconds: Double)] = []
}

/// One run through the stages of DESIGN: feed, observe, plan, guards, report, apply.
public struct SyncRun {
    let config: Config
    let instant: Date
    let override: GuardOverride?

    public init(config: Config, instant: Date, override: GuardOverride?) {
        self.config = config
        self.instant = instant
        self.override = override
    }

    /// Steps 1 to 4: read, observe, plan, guard. Writes nothing anywhere.
    /// The MFA connectors, where there are any, are asked about the people the draft plan
    /// names (leavers, enrollments, privileged grants) and their answers fold into it.
    public func plan(feed: FeedSnapshot, directory: ObservedDirectory, mfa: [MFAConnector] = []) -> Plan {
        var plan = Planner(config: config, instant: instant).plan(feed: feed, directory: directory)
        plan.configHash = config.hash.isEmpty ? nil : config.hash
        if !mfa.isEmpty {
            let planner = MFAPlanner(config: config, instant: instant)
            let (subjects, pending) = planner.questions(of: plan, feed: feed, directory: directory)
            let observations = MFAObservations.observe(mfa, subjects: subjects,
                                                       reverifications: pending)
            plan = planner.amend(plan, feed: feed, directory: directory, observations: observations)
        }
        plan.findings += unconfirmedDisables(in: plan)
        plan.people = PlanPerson.involved(in: plan, feed: feed)
        let privileged = config.roles.managedGroups.filter(config.roles.isPrivileged).map { config.groupDN($0).string }
        plan.guards = Guards(config: config.guards, maxBadRows: config.feed.maxBadRows,
                             privilegedGroups: Set(privileged))
            .evaluate(plan, feed: feed, directory: directory, override: override)
        return plan
    }

    /// Without directory.password_policy no disable can be confirmed, and a sync fails each
    /// one: the plan says so, so that a site planning for a week first sees it there.
    func unconfirmedDisables(in plan: Plan) -> [Finding] {
        guard config.directory.passwordPolicy == nil else { return [] }
        let disables = plan.changes.filter { $0.kind == .disable }.count
        let locked = plan.changes.filter(\.createsLockedAccount).count
        guard disables + locked > 0 else { return [] }
        return [Finding(kind: .disableUnconfirmed, employeeID: nil, dn: nil, text:
            "directory.password_policy is not set, so idsync cannot confirm that a ppolicy lock "
            + "stops binds: \(disables) disables and \(locked) accounts created disabled in this "
            + "plan will fail at sync; name the policy entry with pwdLockout: TRUE (README, "
            + "'Disabling in OpenLDAP')")]
    }

    /// Step 6: applies a plan that passed its guards, with an audit record for every
    /// change. The exit status is 1 when any change failed or any row was quarantined.
    public func apply(_ plan: Plan, directory: ObservedDirectory, connector: DirectoryConnector,
                      audit: AuditLog, mfa: [MFAConnector] = []) throws -> RunResult {
        let executor = Executor(connector: connector, audit: audit, observed: directory,
                                placeholder: config.directory.placeholderMember, mfa: mfa)
        try checkBeforeWriting(plan, connector: connector, executor: executor)
        try executor.apply(plan)
        let failed = executor.outcomes.contains { !$0.succeeded }
        let unchecked = plan.findings.contains { $0.kind == .mfaUnchecked }
        let status: ExitStatus = failed || unchecked || plan.needsAttention ? .partial : .success
        return RunResult(plan: plan, outcomes: executor.outcomes, status: status,
                         connectionLost: executor.connectionLost, phaseTimes: executor.phaseTimes)
    }

    /// A disable the directory would ignore, or a move that would strand memberships, is
    /// refused loudly instead of being sent.
    private func checkBeforeWriting(_ plan: Plan, connector: DirectoryConnector, executor: Executor) throws {
        let locks = plan.changes.contains { $0.kind == .disable || $0.kind == .createAccount }
        if locks {
            do {
                try connector.confirmDisableTakesEffect()
            } catch {
                executor.refuse(where: { $0.kind == .disable || $0.createsLockedAccount },
                                because: DirectoryFailure(code: -1, message: "\(error)"))
            }
        }
        if plan.changes.contains(where: { $0.kind == .move }) {
            do {
                try connector.confirmReferentialIntegrity()
            } catch {
                executor.refuse(where: { $0.kind == .move }, because: DirectoryFailure(code: -1, message: "\(error)"))
            }
        }
    }

}

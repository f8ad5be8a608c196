import Foundation

/// How one step of a termination ended.
public enum StepResult: Sendable, Equatable {
    case done
    /// An earlier run did it; nothing was written.
    case alreadyDone
    case failed(String)

    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}

/// One line of the receipt: the step, what it acted on, how it ended and how long it took.
public struct StepOutcome: Sendable {
    public let step: String
    public let target: String
    public let result: StepResult
    public let seconds: Double
    public let detail: String?

    public init(
        step: String, target: String, result: StepResult, seconds: Double, detail: String? = nil
    ) {
        self.step = step
        self.target = target
        self.result = result
        self.seconds = seconds
        self.detail = detail
    }
}

/// A step that needs neither the directory connection nor another step, such as revoking
/// authenticators in one MFA system: such steps run at once, each on its own thread, while
/// the directory steps run. The step writes its own audit record through `audit`.
public struct IndependentStep: Sendable {
    public let name: String
    public let run: @Sendable (_ audit: SerialAudit) -> [StepOutcome]

    public init(name: String, run: @escaping @Sendable (_ audit: SerialAudit) -> [StepOutcome]) {
        self.name = name
        self.run = run
    }
}

/// The audit log shared by steps on several threads: one record at a time. The first
/// write that fails is kept and rethrown by the run, since a step without its record must
/// not pass for done.
public final class SerialAudit: @unchecked Sendable {
    let log: AuditLog
    private let lock = NSLock()
    private var failure: Error?

    init(_ log: AuditLog) { self.log = log }

    public func append(_ fill: (inout AuditRecord) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        do { try log.append(fill) } catch { if failure == nil { failure = error } }
    }

    func check() throws {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
    }
}

/// Carries out the steps of one termination: the disable through the nightly's own apply
/// path, then the group removals, while the independent steps (MFA systems) run alongside.
/// A failed step never stops the others; the receipt says what is left.
public struct TerminationRun {
    let config: Config
    let connector: AccountLookup
    let request: TerminationRequest

    public init(config: Config, connector: AccountLookup, request: TerminationRequest) {
        self.config = config
        self.connector = connector
        self.request = request
    }

    /// Runs every step and returns their outcomes in receipt order: disable, groups, the
    /// independent steps in the order given. With `recordsRevocation`, once the account is
    /// disabled and every independent step (the MFA systems) succeeded, the account records
    /// the revocation complete, so that nightly runs stop asking the connectors about it.
    /// Throws only when the audit log cannot be written.
    public func run(
        _ steps: TerminationSteps, independent: [IndependentStep], recordsRevocation: Bool = false,
        audit: AuditLog
    ) throws -> [StepOutcome] {
        let shared = SerialAudit(audit)
        let alongside = independent.map { step in StepThread { step.run(shared) } }
        let disabled = try disable(steps, audit: audit, shared: shared)
        var outcomes = disabled + (try removeFromGroups(steps, shared: shared))
        var others: [StepOutcome] = []
        for job in alongside { others += job.value() }
        outcomes += others
        try shared.check()
        if recordsRevocation, !(disabled + others).contains(where: { $0.result.isFailure }) {
            outcomes += try recordRevocation(steps, audit: audit)
        }
        return outcomes
    }

    /// The state write the nightly makes once a leaver's revocations all succeeded.
    private func recordRevocation(
        _ steps: TerminationSteps, audit: AuditLog
    ) throws -> [StepOutcome] {
        let started = Date()
        let dn = steps.found.account.dn
        guard let now = try? connector.reread(dn), var state = now.account.state else {
            return [
                StepOutcome(
                    step: "record-revocation-complete", target: dn.string,
                    result: .failed("the account could not be read again"), seconds: 0)
            ]
        }
        guard !state.revocationComplete else {
            return [
                StepOutcome(
                    step: "record-revocation-complete", target: dn.string, result: .alreadyDone,
                    seconds: 0)
            ]
        }
        state.revocationComplete = true
        let change = Change(
            kind: .recordRevocation, category: .leaver, employeeID: now.account.employeeID,
            login: now.account.login, dn: dn.string, state: state.stored,
            reason: Reason(
                rule: "mfa-revocation",
                text: "every MFA connector revoked the "
                    + "authenticators of a person terminated on demand"))
        let result = try SyncRun(config: config, instant: request.instant, override: nil)
            .apply(
                Plan.onDemand([change], instant: request.instant, config: config),
                directory: steps.directory,
                connector: connector, audit: audit)
        let failure =
            result.outcomes.first.flatMap { $0.failure.map { "\($0)" } ?? $0.skipped }
            ?? result.connectionLost
        return [
            StepOutcome(
                step: "record-revocation-complete", target: dn.string,
                result: failure.map(StepResult.failed) ?? .done,
                seconds: Date().timeIntervalSince(started))
        ]
    }

    // MARK: Disable

    /// The disable goes through `SyncRun.apply`, as a leaver's does at night: the same check
    /// that slapd honours the lock, the same write and the same audit record.
    private func disable(
        _ steps: TerminationSteps, audit: AuditLog, shared: SerialAudit
    ) throws -> [StepOutcome] {
        let dn = steps.found.account.dn.string
        guard let change = steps.disable else {
            shared.append { entry in
                TerminationRun.describe(steps.found, action: "disable", into: &entry)
                entry.result = "skipped"
                entry.detail = "already done: the account is locked and its termination recorded"
            }
            return [StepOutcome(step: "disable", target: dn, result: .alreadyDone, seconds: 0)]
        }
        let started = Date()
        let plan = Plan.onDemand([change], instant: request.instant, config: config)
        let run = SyncRun(config: config, instant: request.instant, override: nil)
        let result = try run.apply(
            plan, directory: steps.directory, connector: connector, audit: audit)
        let seconds = Date().timeIntervalSince(started)
        let outcome = result.outcomes.first
        let failure = outcome?.failure.map { "\($0)" } ?? outcome?.skipped ?? result.connectionLost
        let notes = [
            change.kind == .setAttributes
                ? "already locked; the termination is now recorded on it" : nil,
            change.wipeDescription,
        ].compactMap { $0 }
        return [
            StepOutcome(
                step: "disable", target: dn, result: failure.map(StepResult.failed) ?? .done,
                seconds: seconds, detail: notes.isEmpty ? nil : notes.joined(separator: "; "))
        ]
    }

    // MARK: Groups

    /// Each managed group loses the account in one modify, all of them in flight at once.
    /// A groupOfNames must keep a member: where the account was the last one, slapd refuses
    /// (65 objectClassViolation) and the removal is sent again with the placeholder added.
    private func removeFromGroups(
        _ steps: TerminationSteps, shared: SerialAudit
    ) throws -> [StepOutcome] {
        let removals = steps.groupRemovals
        guard !removals.isEmpty else { return [] }
        let started = Date()
        let placeholder = config.directory.placeholderMember.string
        var results = [Result<Void, DirectoryFailure>?](repeating: nil, count: removals.count)
        var lastMember: [Int] = []
        // As the executor does: what is about to be sent is on the disk first.
        for change in removals {
            shared.append { entry in
                entry.event = "attempt"
                entry.action = change.kind.rawValue
                entry.employeeID = change.employeeID
                entry.dn = change.dn
                entry.target = change.target
            }
        }
        try shared.check()
        send(removals.map { .groupMembers(group: $0.target ?? "", add: [], remove: [$0.dn]) }) {
            index, result in
            if case .failure(let failure) = result, failure.code == 65 {
                lastMember.append(index)
            } else {
                results[index] = result
            }
        }
        if !lastMember.isEmpty {
            let retries = lastMember.map { removals[$0] }
            send(
                retries.map {
                    .groupMembers(group: $0.target ?? "", add: [placeholder], remove: [$0.dn])
                }
            ) {
                results[lastMember[$0]] = $1
            }
        }
        let seconds = Date().timeIntervalSince(started)
        return removals.enumerated().map { index, change in
            let result =
                results[index] ?? .failure(DirectoryFailure(code: -1, message: "no reply came"))
            let kept =
                lastMember.contains(index)
                ? "the last member: \(placeholder) keeps the group valid" : nil
            record(change, result: result, detail: kept, shared: shared)
            let step: StepResult
            switch result {
            case .success: step = .done
            case .failure(let failure): step = .failed("\(failure)")
            }
            return StepOutcome(
                step: "remove-from-group", target: change.target ?? "", result: step,
                seconds: seconds, detail: kept)
        }
    }

    private func send(
        _ operations: [DirectoryOperation],
        _ completion: (Int, Result<Void, DirectoryFailure>) -> Void
    ) {
        var answered = Set<Int>()
        do {
            try connector.write(operations) { index, result in
                answered.insert(index)
                completion(index, result)
            }
        } catch {
            for index in operations.indices where !answered.contains(index) {
                completion(
                    index,
                    .failure(DirectoryFailure(code: -1, message: "\(error)", outcomeUnknown: true)))
            }
        }
    }

    private func record(
        _ change: Change, result: Result<Void, DirectoryFailure>, detail: String?,
        shared: SerialAudit
    ) {
        shared.append { entry in
            entry.action = change.kind.rawValue
            entry.employeeID = change.employeeID
            entry.dn = change.dn
            entry.target = change.target
            entry.before = ["member": [change.dn]]
            entry.after = ["member": []]
            entry.reason = "\(change.reason.rule): \(change.reason.text)"
            entry.detail = detail
            switch result {
            case .success:
                entry.result = "ok"
            case .failure(let failure):
                entry.result = failure.outcomeUnknown ? "unknown" : "error"
                entry.error = failure
            }
        }
    }

    static func describe(_ found: FoundAccount, action: String, into entry: inout AuditRecord) {
        entry.action = action
        entry.employeeID = found.account.employeeID
        entry.dn = found.account.dn.string
    }
}

/// One job on its own thread; `value()` waits for it. Used from one thread.
final class StepThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: [StepOutcome] = []

    init(_ job: @escaping @Sendable () -> [StepOutcome]) {
        let thread = Thread { [self] in
            outcome = job()
            done.signal()
        }
        thread.start()
    }

    func value() -> [StepOutcome] {
        done.wait()
        return outcome
    }
}

extension Plan {
    /// A plan of changes an operator asked for, with no feed behind it.
    public static func onDemand(_ changes: [Change], instant: Date, config: Config) -> Plan {
        Plan(
            runDate: "\(LocalDate(instant, in: config.timeZone))",
            instant: ISO8601DateFormatter().string(from: instant), feed: "none",
            directoryFingerprint: "",
            summary: PlanSummary(), changes: changes, findings: [], guards: [])
    }
}

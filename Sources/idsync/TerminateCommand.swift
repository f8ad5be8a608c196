import Connectors
import Foundation
import IdentitySync

/// `idsync terminate` and `idsync reinstate`: one person, now, without the HR feed.
struct TerminateCommand {
    let arguments: Arguments
    let config: Config

    private var options: TerminationArguments { arguments.termination }

    private func request(run: String) throws -> TerminationRequest {
        TerminationRequest(
            key: options.key!, reason: arguments.reason ?? "", ticket: options.ticket,
            emergencyProtected: options.emergencyProtected,
            instant: try Commands(arguments: arguments).instant(config), run: run)
    }

    private func actor() -> Actor {
        Actor(
            bindIdentity: config.directory.bindDN, osUser: Commands.osUser(),
            reason: arguments.reason,
            ticket: options.ticket)
    }

    // MARK: terminate

    func terminate() throws -> ExitStatus {
        let started = Date()
        let run = UUID().uuidString.lowercased()
        let request = try request(run: run)
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        defer { connector.close() }

        let connectors = try MFAConnectors.make(config.mfa)

        // 1. The sync lock: waited for, and gone ahead without when the wait runs out. It is
        // taken before the account is read, so that what the operator is shown is what a
        // running sync can no longer change (shown before the wait, it could be stale).
        var notes: [String] = []
        let lock = takeLock(notes: &notes)
        defer { withExtendedLifetime(lock) {} }

        // 2. The one account the key names, shown before anything is written, with what each
        // MFA system holds (asked of all of them at once).
        guard var steps = try refusing({ try plannedSteps(connector, request) }) else {
            return .stopped
        }
        var mfa = TerminationMFA(
            connectors: steps.isEmergencyLock ? [] : connectors, account: steps.found.account)
        Output.write(
            TerminationText.found(
                steps, key: request.key, authenticators: mfa.describe(), mfa: mfa.names))

        // 3. A person at a terminal says yes, or --yes says a script was told to. A sync that
        // starts meanwhile finds the lock held and exits 4.
        if let refused = confirm("terminate \(steps.found.account.login)") { return refused }

        // 4. Read again: without the lock (the wait ran out) a sync may have changed the
        // account while the operator read and confirmed.
        if lock == nil {
            guard let fresh = try refusing({ try plannedSteps(connector, request) }) else {
                return .stopped
            }
            steps = fresh
            mfa = TerminationMFA(
                connectors: steps.isEmergencyLock ? [] : connectors, account: steps.found.account)
        }

        // 5. The steps, each audited, between a start and an end record as a sync writes them.
        let audit = try AuditLog(
            path: config.auditPath, run: run, actor: actor(), configHash: config.hash)
        try audit.recordStart(claiming: lock) { entry in
            entry.action = steps.isEmergencyLock ? "emergency-lock" : "terminate"
            TerminateCommand.subject(steps.found, into: &entry)
            entry.detail =
                (["idsync terminate, \(request.key), config \(config.file)"] + notes
                + (steps.protectedReason.map { ["EMERGENCY LOCK of a protected account: \($0)"] }
                    ?? []))
                .joined(separator: "; ")
        }
        let outcomes = try TerminationRun(config: config, connector: connector, request: request)
            .run(
                steps,
                independent: mfa.steps(reason: TerminationSteps.reason(request, protected: nil)),
                recordsRevocation: !mfa.isEmpty, audit: audit)
        notes += check(connector, steps)
        let failed = outcomes.filter { $0.result.isFailure }
        try audit.recordEnd(failed.isEmpty ? .success : .partial) { entry in
            TerminateCommand.subject(steps.found, into: &entry)
            entry.detail =
                failed.isEmpty
                ? "\(outcomes.count) steps done"
                : "left: " + failed.map { "\($0.step) \($0.target)" }.joined(separator: "; ")
        }
        let seconds = Date().timeIntervalSince(started)
        Output.write(
            TerminationText.receipt(outcomes, run: run, seconds: seconds, notes: notes)
                + "audit log: \(audit.path)\n")
        return failed.isEmpty ? .success : .partial
    }

    private func plannedSteps(
        _ connector: OpenLDAPDirectory, _ request: TerminationRequest
    ) throws
        -> TerminationSteps
    {
        try TerminationSteps(
            config: config, request: request, found: connector.findOne(request.key))
    }

    /// Takes the sync lock, waiting up to `terminate.lock_wait`; nil when the wait ran out.
    private func takeLock(notes: inout [String]) -> RunLock? {
        let wait = config.terminate.lockWait
        let path = config.lockPath
        do {
            let lock = try RunLock(path: path, waitingUpTo: wait) {
                let holder = RunLock.holder(of: path).map { " (pid \($0))" } ?? ""
                Output.error(
                    "idsync: another run holds the lock \(path)\(holder); waiting up to "
                        + "\(Int(wait)) s for it (terminate.lock_wait)\n")
            }
            if lock.waited > 0.05 {
                notes.append(
                    String(
                        format: "waited %.1f s for the running idsync job to release the lock",
                        lock.waited))
            }
            return lock
        } catch {
            notes.append(
                "the lock wait (\(Int(wait)) s) ran out: another run still holds \(path); "
                    + "terminate went ahead without the lock (its directory steps are idempotent), "
                    + "and that run re-checks the account before any enable or grant")
            Output.error("idsync: \(notes.last!)\n")
            return nil
        }
    }

    /// Reads the account once more and says whether it is locked and out of every managed
    /// group, as a sentence for the receipt.
    private func check(_ connector: OpenLDAPDirectory, _ steps: TerminationSteps) -> [String] {
        guard let found = try? connector.reread(steps.found.account.dn) else {
            return ["the account could not be read again to check the result"]
        }
        let managed = Set(TerminationSteps.view(of: found, config: config).groups.keys)
            .subtracting(config.protected.groups)
        let locked = found.account.lock == .administrative
        var text =
            locked
            ? "check: the account is locked (binds fail)" : "check: the account is NOT locked"
        if steps.protectedReason == nil {
            text +=
                managed.isEmpty
                ? " and no managed group lists it"
                : "; managed groups still listing it: "
                    + managed.map { $0.string }.sorted().joined(separator: "; ")
        }
        return [text]
    }

    // MARK: reinstate

    func reinstate() throws -> ExitStatus {
        let run = UUID().uuidString.lowercased()
        let request = try request(run: run)
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        defer { connector.close() }
        let lookup = {
            try Reinstatement(
                config: config, request: request, found: connector.findOne(request.key))
        }

        guard var reinstatement = try refusing(lookup) else { return .stopped }
        guard reinstatement.change != nil else {
            Output.write("idsync: \(reinstatement.outlook)\n")
            return .success
        }
        Output.write(
            "found \(reinstatement.found.account.dn.string): "
                + "\(TerminationText.describe(reinstatement.found.account))\n")
        if let refused = confirm("reinstate \(reinstatement.found.account.login)") {
            return refused
        }

        // Not urgent: like a sync, it does not run beside another run.
        let lock = try RunLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        guard let fresh = try refusing(lookup), let change = fresh.change else { return .success }
        reinstatement = fresh

        let audit = try AuditLog(
            path: config.auditPath, run: run, actor: actor(), configHash: config.hash)
        try audit.recordStart(claiming: lock) { entry in
            entry.action = "reinstate"
            TerminateCommand.subject(reinstatement.found, into: &entry)
            entry.detail = "idsync reinstate, \(request.key), config \(config.file)"
        }
        let plan = Plan.onDemand([change], instant: request.instant, config: config)
        let result = try SyncRun(config: config, instant: request.instant, override: nil)
            .apply(plan, directory: reinstatement.directory, connector: connector, audit: audit)
        let failure =
            result.outcomes.first.flatMap { $0.failure.map { "\($0)" } ?? $0.skipped }
            ?? result.connectionLost
        try audit.recordEnd(failure == nil ? .success : .partial) { entry in
            TerminateCommand.subject(reinstatement.found, into: &entry)
            entry.detail = failure
        }
        guard failure == nil else {
            Output.error("idsync: reinstate failed: \(failure!); run the same command again\n")
            return .partial
        }
        Output.write("reinstated: \(reinstatement.outlook)\naudit log: \(audit.path)\n")
        return .success
    }

    // MARK: Shared

    /// Runs `body`; a refusal is printed and becomes nil, meaning exit 3, nothing written.
    private func refusing<T>(_ body: () throws -> T) throws -> T? {
        do {
            return try body()
        } catch let refusal as LookupRefusal {
            Output.error("idsync: \(refusal)\n")
        } catch let refusal as TerminationRefusal {
            Output.error("idsync: \(refusal)\n")
        }
        return nil
    }

    /// Nil when the operator confirmed (or --yes); otherwise the exit status of the refusal.
    private func confirm(_ what: String) -> ExitStatus? {
        guard !options.yes else { return nil }
        let wait = config.terminate.confirmWait
        switch Confirmation.ask("type yes to \(what), anything else stops: ", waitingUpTo: wait) {
        case .noTerminal:
            Output.error(
                "idsync: no terminal to confirm on and no --yes: nothing was changed. Run it on a "
                    + "terminal, or give --yes where a script runs it\n")
            return .usage
        case .noAnswer:
            Output.error(
                "\nidsync: no answer in \(Int(wait)) s (terminate.confirm_wait): nothing was "
                    + "changed, and the sync lock is free again. Run it again when you can answer\n")
            return .stopped
        case .typed(let answer):
            guard answer.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                Output.error("idsync: not confirmed: nothing was changed\n")
                return .stopped
            }
            return nil
        }
    }

    static func subject(_ found: FoundAccount, into entry: inout AuditRecord) {
        entry.employeeID = found.account.employeeID
        entry.dn = found.account.dn.string
    }
}

/// Asking a person at a terminal: on standard input when it is one, else on /dev/tty.
enum Confirmation {
    enum Answer {
        case typed(String)
        /// No terminal to ask on.
        case noTerminal
        /// Nobody answered in time.
        case noAnswer
    }

    /// The line typed within `seconds`. terminate holds the sync lock while it asks, so a
    /// question left open on a terminal must not keep the nightly sync out for good.
    static func ask(_ prompt: String, waitingUpTo seconds: TimeInterval) -> Answer {
        if isatty(STDIN_FILENO) != 0 {
            Output.error(prompt)
            guard lineArrives(on: STDIN_FILENO, within: seconds) else { return .noAnswer }
            return .typed(readLine(strippingNewline: true) ?? "")
        }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return .noTerminal }
        defer { close(fd) }
        Output.write(prompt, to: fd)
        guard lineArrives(on: fd, within: seconds) else { return .noAnswer }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A { bytes.append(byte) }
        return .typed(String(decoding: bytes, as: UTF8.self))
    }

    /// True once `fd` can be read. A terminal in its usual (canonical) mode hands over
    /// nothing before Enter, so readable means a whole line is there.
    private static func lineArrives(on fd: Int32, within seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1000).rounded(.up))
            let ready = poll(&request, 1, left)
            if ready > 0 { return true }
            if ready == 0 || errno != EINTR { return false }
        }
    }
}

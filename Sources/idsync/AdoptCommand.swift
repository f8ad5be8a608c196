import Connectors
import Foundation
import IdentitySync

/// `idsync adopt`: proposes which HR person each unclaimed account belongs to and writes the
/// review file; `idsync adopt --apply FILE --approved-by NAME` writes the decided rows.
extension Commands {
    func adopt(_ config: Config) throws -> ExitStatus {
        try Commands.checkEmployeeIDAttribute(config)
        guard let file = arguments.applyPath else { return try proposeAdoptions(config) }
        return try applyAdoptions(config, file: file)
    }

    /// The matcher reads the employee id where the directory read takes it from; a mapping
    /// that writes it elsewhere would adopt accounts that the next sync still cannot find.
    static func checkEmployeeIDAttribute(_ config: Config) throws {
        let written = config.mapping.attributes.first { $0.template.source == "{employee_id}" }?
            .name
        let expected = AdoptionApplier.employeeIDAttribute
        guard let written, written.lowercased() != expected.lowercased() else { return }
        throw ConfigProblem(
            "the mapping writes the employee id to \(written), but the directory read takes it "
                + "from \(expected); adopt needs both to be \(expected)")
    }

    /// The feed and the directory as they are now, and the site's protection rules.
    private func readFeedAndDirectory(
        _ config: Config
    )
        throws -> (FeedSnapshot, ObservedDirectory, OpenLDAPDirectory)
    {
        let feed = try Feeds.feed(config).read()
        guard feed.rowCount > 0 else {
            throw FeedError.incomplete("the feed \(feed.origin) is empty")
        }
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        do {
            return (feed, try connector.observe(), connector)
        } catch {
            connector.close()
            throw error
        }
    }

    private func proposeAdoptions(_ config: Config) throws -> ExitStatus {
        let (feed, directory, connector) = try readFeedAndDirectory(config)
        connector.close()
        let proposals = AdoptionMatcher(config: config).proposals(
            people: feed.people, directory: directory,
            isProtected: ProtectionCheck(config: config, directory: directory).isProtected)
        let base = (arguments.outDir as NSString).appendingPathComponent("adoption-review")
        try ReviewFile.writePrivate(ReviewFile.csv(proposals), to: base + ".csv")
        try ReviewFile.writePrivate(
            try ReviewFile.json(proposals, feed: feed.origin, fingerprint: directory.fingerprint),
            to: base + ".json")
        let summary = Commands.proposalSummary(
            proposals, unclaimed: Commands.unclaimedCount(directory))
        Output.write(
            TextReport.visible(summary) + "\n"
                + "review files: \(base).csv, \(base).json (mode 0600)\n"
                + "set approved to yes, no or reject, then: "
                + "idsync adopt --apply \(base).csv --approved-by NAME\n"
        )
        return .success
    }

    static func unclaimedCount(_ directory: ObservedDirectory) -> Int {
        directory.accounts.filter { ($0.employeeID ?? "").isEmpty }.count
    }

    static func proposalSummary(_ proposals: [AdoptionProposal], unclaimed: Int) -> String {
        let counts = MatchConfidence.allCases.reversed().map { level in
            "\(proposals.filter { $0.confidence == level }.count) \(level.rawValue)"
        }.joined(separator: ", ")
        let ambiguous = proposals.filter(\.isAmbiguous).count
        let approved = proposals.filter(\.isAutoApproved).count
        return
            "idsync adopt: \(unclaimed) accounts without an employee id; "
            + "\(proposals.count) proposals (\(counts)); "
            + "\(ambiguous) ambiguous (never approved ahead); \(approved) approved ahead "
            + "(unambiguous mail matches)"
    }

    private func applyAdoptions(_ config: Config, file: String) throws -> ExitStatus {
        let rows = try ReviewFile.read(path: file)
        let approver = arguments.approvedBy ?? ""
        let lock = try RunLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let audit = try AuditLog(
            path: config.auditPath, run: UUID().uuidString.lowercased(),
            actor: Actor(
                bindIdentity: config.directory.bindDN, osUser: Commands.osUser(),
                reason: arguments.reason),
            configHash: config.hash)
        try audit.recordStart(claiming: lock) {
            $0.approvedBy = approver
            $0.detail = "adopt --apply \(file), config \(config.file), feed \(config.feed.path)"
        }
        do {
            let outcomes = try adoptRows(
                rows, file: file, config: config, audit: audit, approver: approver)
            let failed = outcomes.filter { !$0.succeeded }.count
            let status: ExitStatus = failed == 0 ? .success : .partial
            try audit.recordEnd(status) {
                $0.detail = "adopt: \(outcomes.count - failed) applied, \(failed) skipped or failed"
            }
            return status
        } catch let error where !(error is AuditError) {
            try audit.recordStopped("\(error)", exitCode: Commands.verdict(error).0)
            throw error
        }
    }

    private func adoptRows(
        _ rows: [ReviewRow], file: String, config: Config, audit: AuditLog,
        approver: String
    ) throws -> [AdoptionOutcome] {
        let (feed, directory, connector) = try readFeedAndDirectory(config)
        defer { connector.close() }
        let applier = AdoptionApplier(config: config, file: file)
        let checked = try applier.check(
            rows, feed: feed, directory: directory,
            isProtected: ProtectionCheck(config: config, directory: directory).isProtected)
        let outcomes = try applier.apply(
            checked, connector: connector, audit: audit, approvedBy: approver,
            reason: arguments.reason)
        Output.write(Commands.describe(outcomes, file: file) + "audit log: \(audit.path)\n")
        return outcomes
    }

    static func describe(_ outcomes: [AdoptionOutcome], file: String) -> String {
        var lines = outcomes.map { outcome -> String in
            let row = outcome.row
            let what =
                "\(row.accountDN) \(row.login) ↔ \(row.employeeID) \(row.hrName) "
                + "(\(file):\(row.line))"
            switch outcome.result {
            case .adopted: return "  adopted \(what)"
            case .rejected: return "  rejected match \(what)"
            case .skipped(let why): return "  skipped \(what): \(why)"
            case .failed(let failure): return "  FAILED \(what): \(failure)"
            }
        }
        let ok = outcomes.filter(\.succeeded).count
        lines.insert(
            "idsync adopt --apply: \(ok) written, \(outcomes.count - ok) skipped or failed", at: 0)
        return lines.map(TextReport.visible).joined(separator: "\n") + "\n"
    }
}

import Foundation

/// What became of one decided row of a review file.
public struct AdoptionOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        case adopted
        case rejected
        /// Not sent: the directory or the feed moved since the review (the reason says how).
        case skipped(String)
        case failed(DirectoryFailure)

        public static func == (lhs: Result, rhs: Result) -> Bool {
            switch (lhs, rhs) {
            case (.adopted, .adopted), (.rejected, .rejected): return true
            case (.skipped(let one), .skipped(let other)): return one == other
            case (.failed(let one), .failed(let other)): return "\(one)" == "\(other)"
            default: return false
            }
        }
    }

    public let row: ReviewRow
    public let result: Result

    public var succeeded: Bool { result == .adopted || result == .rejected }
}

/// Applies the rows a reviewer decided in a review file: writes the employee id and
/// idsync's state on each approved account, or remembers a rejected match on the account.
///
/// Nothing is written when any decided row is nonsense (a DN that is no account, a login
/// or a name that does not go with it, an employee id the feed lacks, two rows for one
/// account or one person). A row the world has overtaken since the review (the account
/// was claimed meanwhile, the person got an account, the evidence is gone) is skipped and
/// reported; the others go on.
public struct AdoptionApplier {
    /// The attribute the directory read takes the employee id from (OpenLDAP flavour).
    public static let employeeIDAttribute = "employeeNumber"

    let config: Config
    let file: String

    public init(config: Config, file: String) {
        self.config = config
        self.file = file
    }

    /// A decided row checked against the feed and the directory as they are now.
    public struct Checked: Sendable {
        public let row: ReviewRow
        let account: ObservedAccount
        let person: Person
        /// Why the row is not sent, when the world moved since the review.
        let stale: String?
        let proposal: AdoptionProposal?
    }

    /// Checks every row that says yes or reject. Throws `ReviewFileError` naming each
    /// nonsense row; the rows that are only out of date come back with their reason.
    public func check(
        _ rows: [ReviewRow], feed: FeedSnapshot, directory: ObservedDirectory,
        isProtected: (ObservedAccount) -> Bool
    ) throws -> [Checked] {
        let decided = rows.filter { $0.decision != .no }
        var problems = duplicates(decided)
        let accounts = Dictionary(directory.accounts.map { ($0.dn.normalized, $0) }) { first, _ in
            first
        }
        let people = Dictionary(feed.people.map { ($0.key, $0) }) { first, _ in first }
        let proposals = Dictionary(
            AdoptionMatcher(config: config).proposals(
                people: feed.people, directory: directory, isProtected: isProtected
            ).map { ("\($0.accountDN)\n\($0.employeeID)", $0) }
        ) { first, _ in first }
        var checked: [Checked] = []
        for row in decided {
            switch pairing(row, accounts: accounts, people: people) {
            case .failure(let problem):
                problems.append((row.line, problem.text))
            case .success(let (account, person)):
                let proposal = proposals["\(account.dn.string)\n\(person.employeeID)"]
                let stale = staleness(
                    row, account, person, directory: directory, proposal: proposal,
                    isProtected: isProtected)
                checked.append(
                    Checked(
                        row: row, account: account, person: person, stale: stale, proposal: proposal
                    ))
            }
        }
        guard problems.isEmpty else {
            throw ReviewFileError(file: file, problems: problems.sorted { $0.line < $1.line })
        }
        return checked
    }

    struct Problem: Error { let text: String }

    /// The account and the person a row names, or why the row is nonsense.
    private func pairing(
        _ row: ReviewRow, accounts: [String: ObservedAccount],
        people: [String: Person]
    ) -> Result<(ObservedAccount, Person), Problem> {
        guard let dn = try? DistinguishedName(parsing: row.accountDN), !row.accountDN.isEmpty else {
            return .failure(Problem(text: "account_dn '\(row.accountDN)' is not a DN"))
        }
        guard let account = accounts[dn.normalized] else {
            return .failure(
                Problem(
                    text: "no account \(row.accountDN) in the managed subtree "
                        + "\(config.directory.people.string); was account_dn edited?"))
        }
        guard account.login == row.login else {
            return .failure(
                Problem(
                    text: "login is '\(row.login)' but the account \(row.accountDN) has the login "
                        + "'\(account.login)'; was the row edited?"))
        }
        guard !row.employeeID.isEmpty, let person = people[Person.key(row.employeeID)] else {
            return .failure(
                Problem(
                    text: "employee id '\(row.employeeID)' is not in the feed \(config.feed.path) "
                        + "(a spreadsheet may have dropped leading zeros; keep the column as text)")
            )
        }
        let names = [person.displayFirstName + person.lastName, person.firstName + person.lastName]
            .map(NameKey.fold)
        guard names.contains(NameKey.fold(row.hrName)) else {
            return .failure(
                Problem(
                    text: "hr_name is '\(row.hrName)' but employee id \(person.employeeID) is "
                        + "\(person.displayFirstName) \(person.lastName) in the feed; "
                        + "was employee_id edited?"
                ))
        }
        guard !row.employeeID.contains(where: { ";,=".contains($0) }) || row.decision != .reject
        else {
            return .failure(
                Problem(
                    text: "employee id '\(row.employeeID)' holds ';', ',' or '=' and cannot be "
                        + "remembered as a rejected match"))
        }
        return .success((account, person))
    }

    /// Two decided rows for one account, or two approved rows for one person.
    private func duplicates(_ rows: [ReviewRow]) -> [(line: Int, text: String)] {
        var problems: [(line: Int, text: String)] = []
        let approved = rows.filter { $0.decision == .yes }
        let byAccount = Dictionary(grouping: approved) {
            (try? DistinguishedName(parsing: $0.accountDN))?.normalized ?? $0.accountDN
        }
        let byPerson = Dictionary(grouping: approved) { Person.key($0.employeeID) }
        for (_, group) in byAccount where group.count > 1 {
            let lines = group.map { "\($0.line)" }.joined(separator: ", ")
            problems.append(
                (
                    group[0].line,
                    "lines \(lines) approve the account \(group[0].accountDN) for "
                        + "\(group.count) people; approve one at most"
                ))
        }
        for (_, group) in byPerson where group.count > 1 {
            let lines = group.map { "\($0.line)" }.joined(separator: ", ")
            problems.append(
                (
                    group[0].line,
                    "lines \(lines) approve \(group.count) accounts for employee id "
                        + "\(group[0].employeeID); approve one at most"
                ))
        }
        return problems
    }

    private func staleness(
        _ row: ReviewRow, _ account: ObservedAccount, _ person: Person,
        directory: ObservedDirectory, proposal: AdoptionProposal?,
        isProtected: (ObservedAccount) -> Bool
    ) -> String? {
        if let id = account.employeeID, !id.isEmpty {
            return Person.key(id) == person.key
                ? "already adopted: the account carries employee id \(id)"
                : "the account was claimed meanwhile: it carries employee id \(id)"
        }
        if isProtected(account) { return "the account is protected: idsync never writes on it" }
        if let other = directory.accounts.first(where: {
            $0.employeeID.map(Person.key) == person.key
        }) {
            return "employee id \(person.employeeID) has an account meanwhile: \(other.dn.string)"
        }
        if row.decision == .yes && proposal == nil {
            return
                "the account and the person no longer match (their mail and name evidence is "
                + "gone); run idsync adopt again"
        }
        return nil
    }

    /// Sends one write per row that is not stale, and audits every decided row: one record
    /// each, with the approver, the values before and after, and the result. As for the
    /// nightly writes, the attempt records of what is sent are on the disk before it is.
    public func apply(
        _ checked: [Checked], connector: DirectoryConnector, audit: AuditLog,
        approvedBy: String, reason: String?
    ) throws -> [AdoptionOutcome] {
        let sendable = checked.filter { $0.stale == nil }
        let writes = sendable.map(write(for:))
        var results = [DirectoryFailure?](repeating: nil, count: writes.count)
        try audit.appendAll(sendable) { item, entry in
            entry.event = "attempt"
            entry.action = item.row.decision == .yes ? "adopt" : "reject-match"
            entry.employeeID = item.person.employeeID
            entry.dn = item.account.dn.string
            entry.approvedBy = approvedBy
        }
        if !writes.isEmpty {
            try connector.write(writes.map(\.operation)) { index, result in
                if case .failure(let failure) = result { results[index] = failure }
            }
        }
        var outcomes: [AdoptionOutcome] = []
        var sent = 0
        for item in checked {
            let outcome: AdoptionOutcome.Result
            var write: Write?
            if let stale = item.stale {
                outcome = .skipped(stale)
            } else {
                write = writes[sent]
                outcome =
                    results[sent].map { .failed($0) }
                    ?? (item.row.decision == .yes ? .adopted : .rejected)
                sent += 1
            }
            try record(
                item, write: write, outcome: outcome, audit: audit, approvedBy: approvedBy,
                reason: reason)
            outcomes.append(AdoptionOutcome(row: item.row, result: outcome))
        }
        return outcomes
    }

    struct Write {
        let operation: DirectoryOperation
        let before: [String: [String]]
        let after: [String: [String]]
    }

    /// Adopting writes the employee id and a fresh state; rejecting adds the employee id
    /// to the account's not-a-match list. Either adds the state object class where needed.
    private func write(for item: Checked) -> Write {
        let old = item.account.state
        var state = old ?? AccountState()
        var edits: [AttributeEdit] = []
        if item.row.decision == .yes {
            edits.append(
                AttributeEdit(
                    name: Self.employeeIDAttribute, before: [], after: [item.person.employeeID]))
        } else if !state.notMatches.contains(item.person.employeeID) {
            state.notMatches.append(item.person.employeeID)
        }
        let classes = item.account.attributes["objectclass"] ?? []
        if let stateClass = config.directory.stateObjectClass,
            !classes.contains(where: { $0.lowercased() == stateClass.lowercased() })
        {
            edits.append(
                AttributeEdit(name: "objectClass", before: classes, after: classes + [stateClass]))
        }
        let stateName = config.directory.stateAttribute
        var before = [stateName: old.map { [$0.stored] } ?? []]
        var after = [stateName: [state.stored]]
        for edit in edits {
            before[edit.name] = edit.before
            after[edit.name] = edit.after
        }
        return Write(
            operation: .update(
                dn: item.account.dn.string, attributes: edits, state: state.stored, lock: nil),
            before: before, after: after)
    }

    private func record(
        _ item: Checked, write: Write?, outcome: AdoptionOutcome.Result, audit: AuditLog,
        approvedBy: String, reason: String?
    ) throws {
        try audit.append { record in
            record.action = item.row.decision == .yes ? "adopt" : "reject-match"
            record.employeeID = item.person.employeeID
            record.dn = item.account.dn.string
            record.approvedBy = approvedBy
            record.reason = reason
            record.before = write?.before
            record.after = write?.after
            let evidence =
                item.proposal.map { "; \($0.confidence.rawValue): \($0.evidenceText)" } ?? ""
            record.detail = "review file \(file):\(item.row.line)" + evidence
            switch outcome {
            case .adopted, .rejected: record.result = "ok"
            case .skipped(let why):
                record.result = "skipped"
                record.detail! += "; skipped: \(why)"
            case .failed(let failure):
                record.result = "error"
                record.error = failure
            }
        }
    }
}

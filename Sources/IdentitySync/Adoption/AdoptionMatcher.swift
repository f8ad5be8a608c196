import Foundation

/// Proposes which HR person each unclaimed account belongs to, for `idsync adopt` and for
/// the planner, which holds a joiner whose account probably exists already.
///
/// An account is unclaimed when it carries no employee id and is not protected; a person
/// is unmatched when no account carries their employee id. Evidence, strongest first:
/// HR's work mail address equal to the account's mail (high); the normalised name
/// (transliterated, case-folded, legal or preferred first name) together with the
/// department or the manager (medium); the name alone (low). Every pairing found is a
/// proposal; where an account or a person is in more than one, all of them are ambiguous.
/// Pure: no clock, no network, no files.
public struct AdoptionMatcher: Sendable {
    /// The attributes the mapping fills with the department and the manager's DN, as the
    /// mapping spells them (observed attribute names are their lower-case forms).
    let departmentAttribute: String
    let managerAttribute: String

    public init(config: Config) {
        let attribute = { (field: String, fallback: String) -> String in
            config.mapping.attributes.first { $0.template.source == "{\(field)}" }?.name ?? fallback
        }
        departmentAttribute = attribute("department", "departmentNumber")
        managerAttribute = attribute("manager_dn", "manager")
    }

    /// Every proposal, ordered by account DN and then employee id. `isProtected` keeps
    /// protected accounts out: idsync never writes on them.
    public func proposals(
        people: [Person], directory: ObservedDirectory,
        isProtected: (ObservedAccount) -> Bool = { _ in false }
    ) -> [AdoptionProposal] {
        // Once a directory is adopted there is nothing to match: that costs one pass.
        let accounts = directory.accounts.filter {
            ($0.employeeID ?? "").isEmpty && !isProtected($0)
        }
        guard !accounts.isEmpty else { return [] }
        var claimed: [String: String] = [:]
        for account in directory.accounts {
            guard let id = account.employeeID, !id.isEmpty else { continue }
            claimed[Person.key(id)] = account.dn.normalized
        }
        let unmatched = people.filter { claimed[$0.key] == nil }
        guard !unmatched.isEmpty else { return [] }

        // 1. Pairs by mail, name and department; 2. managers resolved through the accounts
        // claimed or proposed alone; 3. the pairs again with the manager as evidence.
        var index = CandidateIndex(accounts)
        index.remember(unmatched)
        let first = pairs(unmatched, index, managers: claimed)
        var managers = claimed
        for pair in Pairing.unambiguous(first) where pair.confidence >= .medium {
            managers[pair.person.key] = pair.account.dn.normalized
        }
        return Pairing.proposals(pairs(unmatched, index, managers: managers))
    }

    /// The people held by the planner: by employee-id key, their proposals of at least
    /// medium confidence.
    public func probableAccounts(
        people: [Person], directory: ObservedDirectory,
        isProtected: (ObservedAccount) -> Bool
    ) -> [String: [AdoptionProposal]] {
        var held: [String: [AdoptionProposal]] = [:]
        for proposal in proposals(people: people, directory: directory, isProtected: isProtected)
        where proposal.confidence >= .medium {
            held[Person.key(proposal.employeeID), default: []].append(proposal)
        }
        return held
    }

    private func pairs(
        _ people: [Person], _ index: CandidateIndex, managers: [String: String]
    ) -> [Pairing] {
        var found: [Pairing] = []
        for (person, spellings) in zip(people, index.spellings(of: people)) {
            for position in index.candidates(person, spellings) {
                let account = index.accounts[position]
                let name = NameKey.evidence(spellings, index.accountSpellings[position])
                guard let pairing = pair(person, account, name: name?.0, managers: managers)
                else { continue }
                // A name that many accounts or people share says nothing on its own.
                if pairing.confidence == .low, let key = name?.key, index.isCrowded(key) { continue }
                found.append(pairing)
            }
        }
        return found
    }

    /// The evidence that `account` is `person`'s, or nil when there is too little.
    private func pair(
        _ person: Person, _ account: ObservedAccount, name: MatchEvidence?,
        managers: [String: String]
    ) -> Pairing? {
        guard !(account.state?.notMatches.contains { Person.key($0) == person.key } ?? false) else {
            return nil
        }
        let mail = mailEvidence(person, account)
        guard mail != nil || name != nil else { return nil }
        let department = departmentEvidence(person, account)
        let manager = managerEvidence(person, account, managers: managers)
        let confidence: MatchConfidence =
            mail != nil
            ? .high
            : (department != nil || manager != nil ? .medium : .low)
        let evidence = [mail, name, department, manager].compactMap { $0 }
        return Pairing(person: person, account: account, confidence: confidence, evidence: evidence)
    }

    private func mailEvidence(_ person: Person, _ account: ObservedAccount) -> MatchEvidence? {
        guard let hr = person.workEmail?.trimmed, !hr.isEmpty else { return nil }
        let value = (account.attributes["mail"] ?? []).first {
            $0.trimmed.lowercased() == hr.lowercased()
        }
        return value.map {
            MatchEvidence(attribute: "mail", accountValue: $0, field: "work_email", hrValue: hr)
        }
    }

    private func departmentEvidence(_ person: Person, _ account: ObservedAccount) -> MatchEvidence?
    {
        let hr = NameKey.fold(person.department)
        guard !hr.isEmpty else { return nil }
        let value = (account.attributes[departmentAttribute.lowercased()] ?? []).first {
            NameKey.fold($0) == hr
        }
        return value.map {
            MatchEvidence(
                attribute: departmentAttribute, accountValue: $0, field: "department",
                hrValue: person.department)
        }
    }

    private func managerEvidence(
        _ person: Person, _ account: ObservedAccount,
        managers: [String: String]
    ) -> MatchEvidence? {
        guard let manager = person.managerID, let managerDN = managers[Person.key(manager)] else {
            return nil
        }
        let value = (account.attributes[managerAttribute.lowercased()] ?? []).first { value in
            (try? DistinguishedName(parsing: value))?.normalized == managerDN
        }
        return value.map {
            MatchEvidence(
                attribute: managerAttribute, accountValue: $0, field: "manager_id",
                hrValue: "\(manager) (whose account is \(managerDN))")
        }
    }
}

/// The unclaimed accounts by mail address and by name key, so that each person looks up
/// their few candidates instead of comparing with every account.
struct CandidateIndex {
    let accounts: [ObservedAccount]
    private var byKey: [String: [Int]] = [:]

    /// Each account's spellings of its name, by position: folded once, used by every pass.
    let accountSpellings: [[NameKey.Spelling]]
    /// People's spellings, folded once for both passes.
    private var personSpellings: [String: [NameKey.Spelling]] = [:]
    /// How many people's names fold to each key.
    private var peopleByKey: [String: Int] = [:]
    /// More accounts or people than this with one name make the name alone no evidence.
    static let crowd = 3

    init(_ accounts: [ObservedAccount]) {
        self.accounts = accounts
        accountSpellings = accounts.map(NameKey.accountKeys)
        for (position, account) in accounts.enumerated() {
            var keys = Set(accountSpellings[position].map(\.key))
            for mail in account.attributes["mail"] ?? [] {
                keys.insert("mail:" + mail.trimmed.lowercased())
            }
            for key in keys { byKey[key, default: []].append(position) }
        }
    }

    /// The spellings of each person's name, in the order of `people`.
    func spellings(of people: [Person]) -> [[NameKey.Spelling]] {
        people.map { personSpellings[$0.key] ?? NameKey.personKeys($0) }
    }

    /// Folds every person's name once, for the passes that follow.
    mutating func remember(_ people: [Person]) {
        for person in people {
            let spellings = NameKey.personKeys(person)
            personSpellings[person.key] = spellings
            for key in Set(spellings.map(\.key)) { peopleByKey[key, default: 0] += 1 }
        }
    }

    func isCrowded(_ key: String) -> Bool {
        (byKey[key]?.count ?? 0) > Self.crowd || (peopleByKey[key] ?? 0) > Self.crowd
    }

    /// The positions of the accounts sharing a mail address or a name key with the person,
    /// each once, in account order.
    func candidates(_ person: Person, _ spellings: [NameKey.Spelling]) -> [Int] {
        var keys = spellings.map(\.key)
        if let mail = person.workEmail?.trimmed, !mail.isEmpty {
            keys.append("mail:" + mail.lowercased())
        }
        return Set(keys.flatMap { byKey[$0] ?? [] }).sorted()
    }
}

/// One account and one person with the evidence that pairs them.
struct Pairing {
    let person: Person
    let account: ObservedAccount
    let confidence: MatchConfidence
    let evidence: [MatchEvidence]

    /// The pairs whose account and person are in no other pair.
    static func unambiguous(_ pairs: [Pairing]) -> [Pairing] {
        let accounts = Dictionary(grouping: pairs) { $0.account.dn.normalized }
        let people = Dictionary(grouping: pairs) { $0.person.key }
        return pairs.filter {
            accounts[$0.account.dn.normalized]!.count == 1 && people[$0.person.key]!.count == 1
        }
    }

    /// The pairs as review rows, each naming the rows it competes with.
    /// The three strongest competitors described, and how many more there are: a common
    /// name must not make every row list every other.
    private static func strongest(
        _ others: [Pairing], _ whose: String, _ describe: (Pairing) -> String
    ) -> [String] {
        let ranked = others.enumerated().sorted {
            ($0.element.confidence, -$0.offset) > ($1.element.confidence, -$1.offset)
        }.map(\.element)
        let shown = ranked.prefix(3).map(describe)
        return ranked.count > 3 ? shown + ["\(ranked.count - 3) more candidates \(whose)"] : shown
    }

    static func proposals(_ pairs: [Pairing]) -> [AdoptionProposal] {
        let accounts = Dictionary(grouping: pairs) { $0.account.dn.normalized }
        let people = Dictionary(grouping: pairs) { $0.person.key }
        let sorted = pairs.sorted {
            ($0.account.dn.normalized, $0.person.key) < ($1.account.dn.normalized, $1.person.key)
        }
        return sorted.map { pair in
            var proposal = AdoptionProposal(
                accountDN: pair.account.dn.string, login: pair.account.login,
                employeeID: pair.person.employeeID,
                hrName: "\(pair.person.displayFirstName) \(pair.person.lastName)",
                hrStatus: pair.person.status.rawValue,
                confidence: pair.confidence, evidence: pair.evidence)
            let otherPeople = accounts[pair.account.dn.normalized]!.filter {
                $0.person.key != pair.person.key
            }
            let otherAccounts = people[pair.person.key]!.filter {
                $0.account.dn.normalized != pair.account.dn.normalized
            }
            proposal.competing =
                strongest(otherPeople, "for this account") {
                    "account also matches \($0.person.employeeID) \($0.person.displayFirstName) "
                        + "\($0.person.lastName) (\($0.confidence.rawValue))"
                }
                + strongest(otherAccounts, "for this person") {
                    "person also matches \($0.account.dn.string) (\($0.confidence.rawValue))"
                }
            return proposal
        }
    }
}

import Foundation

/// The planner's working memory for one run: indexes over what was observed, the
/// logins chosen so far, and the changes and findings collected.
struct PlanningState {
    let config: Config
    let directory: ObservedDirectory
    /// Where each employee id's account sits in `directory.accounts`: an index, so that
    /// the accounts are not copied a second time.
    private var accountIndex: [String: Int32] = [:]
    /// The indexes of every account of an employee id that several entries carry, by key:
    /// only those ids, so on a sound directory this stays empty.
    private(set) var duplicates: [String: [Int32]] = [:]
    var members: [DistinguishedName: Set<String>] = [:]
    /// The groups the planner asks about, as it names them, with their members: which of
    /// them list an account is worked out once per account (see `isMember`).
    let watched: [(dn: DistinguishedName, members: Set<String>)]
    private var lastMemberships = MembershipMemo()
    /// Which watched groups list each member, one bit each: built by `indexMemberships` for a
    /// plan of everyone, nil where only a few accounts are asked about (terminate, adopt).
    private(set) var membershipIndex: [String: UInt64]?
    /// Logins and mail addresses this run has handed out; the directory's are read-only, so
    /// the set of every name in the naming context is never copied.
    var takenInRun: Set<String> = []
    /// For each login candidate handed out this run, the suffix its next search starts at.
    var nextSuffix: [String: Int] = [:]
    var chosenLogins: [String: String] = [:]
    /// The DN each person's account has once the plan is applied, by key: the index of an
    /// account that stays where it is (>= 0), or -1 - the index in `plannedDNs`. Indexes, not
    /// DNs: this holds every person, and a DN is twice the size of a key.
    private var dnByKey: [String: Int32] = [:]
    private var plannedDNs: [DistinguishedName] = []
    /// The feed's people in key order (the planner's array, not a copy), and the keys of
    /// rows set aside: together, every key the feed speaks for.
    var feedPeople: [Person] = []
    var quarantinedKeys: Set<String> = []
    var changes: [Change] = []
    var findings: [Finding] = []
    var groupsToCreate: Set<DistinguishedName> = []
    /// The people whose placement container does not exist, by container: see
    /// PlanningState+Containers.
    var heldByContainer: [DistinguishedName: HeldPlacement] = [:]
    /// People held because their account probably exists unclaimed, and those accounts
    /// (normalized DNs): see PlanningState+Adoption.
    var probable: [String: [AdoptionProposal]] = [:]
    var probableAccounts: Set<String> = []
    /// The keys of employee ids that entries outside the people subtree carry: such a person
    /// gets no second account while one exists (see Planner+OutsidePeople).
    private(set) var outsideKeys: Set<String> = []
    /// Joiners named like an account that is disabled this run because its employee id
    /// vanished from the feed, with those accounts: see PlanningState+Namesakes.
    var vanishedNamesakes: [String: [ObservedAccount]] = [:]
    var vanishingByName: [String: [ObservedAccount]] = [:]
    /// Group DNs by name, built once: a DN is dear to build and every person needs them.
    private let groupDNs: [String: DistinguishedName]
    /// The groups role rules grant, with their DNs, in name order.
    let roleGroups: [(name: String, dn: DistinguishedName)]
    /// Every group idsync may change: those the role rules grant and the MFA flag groups.
    let managedGroupDNs: [DistinguishedName]

    init(config: Config, directory: ObservedDirectory) {
        self.config = config
        self.directory = directory
        var names = config.roles.managedGroups
        let flags = [config.policy.enrollmentGroup, config.policy.reverificationGroup].compactMap { $0 }
        names.formUnion(flags)
        let dns = Dictionary(uniqueKeysWithValues: names.map { ($0, config.groupDN($0)) })
        self.groupDNs = dns
        self.roleGroups = config.roles.managedGroups.sorted().map { ($0, dns[$0]!) }
        self.managedGroupDNs = names.sorted().map { dns[$0]! }
        accountIndex.reserveCapacity(directory.accounts.count)
        for (index, account) in directory.accounts.enumerated() {
            guard let id = account.employeeID, !id.isEmpty else { continue }
            let key = Person.key(id)
            if let first = accountIndex[key] {
                duplicates[key, default: [first]].append(Int32(index))
            }
            accountIndex[key] = Int32(index)
        }
        for entry in directory.outsidePeople {
            if let id = entry.employeeID { outsideKeys.insert(Person.key(id)) }
        }
        for (dn, group) in directory.groups {
            members[dn] = group.members
        }
        let asked = managedGroupDNs + config.protected.groups
        self.watched = asked.map { [directory] in ($0, directory.groups[$0]?.members ?? []) }
    }

    /// The person's account; nil when none exists or when several carry the same id (see
    /// `duplicatedAccounts`).
    func account(for key: String) -> ObservedAccount? {
        guard duplicates[key] == nil else { return nil }
        return observedAccount(key)
    }

    /// Every account that carries this employee id, in directory order, when more than one
    /// does; nil otherwise.
    func duplicatedAccounts(_ key: String) -> [ObservedAccount]? {
        duplicates[key].map { $0.map { directory.accounts[Int($0)] } }
    }

    /// The account that carries this employee id, duplicates or not.
    func observedAccount(_ key: String) -> ObservedAccount? {
        accountIndex[key].map { directory.accounts[Int($0)] }
    }

    /// True when an entry outside the people subtree carries this key's employee id.
    func isOutsidePeople(_ key: String) -> Bool {
        !outsideKeys.isEmpty && outsideKeys.contains(key)
    }

    /// The feed's person with this key, if any.
    func feedPerson(_ key: String) -> Person? {
        let index = feedPeople.index(ofKey: key)
        return index < feedPeople.count && feedPeople[index].key == key ? feedPeople[index] : nil
    }

    /// True when a row of the feed, good or set aside, carries this key.
    func isInFeed(_ key: String) -> Bool {
        feedPeople.containsKey(key) || quarantinedKeys.contains(key)
    }

    // MARK: Logins and DNs

    /// Chooses logins for the people who get an account this run, and records the DN
    /// every person's account will have, so that manager links resolve in one pass.
    mutating func chooseLogins(people: [Person], decisions: [LifecycleDecision], config: Config) {
        let mapper = AccountMapper(config: config)
        let generator = LoginNameGenerator(policy: LoginNamePolicy(
            template: config.mapping.loginTemplate, maxLength: config.mapping.loginMaxLength))
        let mailTemplate = config.mapping.attributes.first { $0.name.lowercased() == "mail" }?.template
        dnByKey.reserveCapacity(people.count)
        for (person, decision) in zip(people, decisions) {
            let key = person.key
            guard duplicates[key] == nil else { continue }
            if let index = accountIndex[key] {
                // Most accounts stay where they are: their DN is the one observed.
                let container = mapper.container(for: person)
                let account = Int(index)
                if directory.accounts[account].dn.isChild(of: container)
                    || isMissing(container) {
                    // Where the container is missing, the move waits and the DN stays.
                    dnByKey[key] = index
                } else {
                    let login = directory.accounts[account].login
                    plan(key, container.child(config.mapping.loginAttribute, login))
                }
                continue
            }
            guard getsAccount(decision, person: person), probable[key] == nil,
                  !isOutsidePeople(key), !notesVanishedNamesake(person) else { continue }
            let container = mapper.container(for: person)
            guard !isMissing(container) else { continue }
            let login = uniqueLogin(generator, person: person, mailTemplate: mailTemplate)
            chosenLogins[key] = login
            plan(key, container.child(config.mapping.loginAttribute, login))
        }
    }

    private mutating func plan(_ key: String, _ dn: DistinguishedName) {
        plannedDNs.append(dn)
        dnByKey[key] = Int32(-plannedDNs.count)
    }

    /// The DN the account of the person with this key has once the plan is applied; nil for
    /// a person who gets no account.
    func plannedDN(_ key: String) -> DistinguishedName? {
        guard let slot = dnByKey[key] else { return nil }
        return slot >= 0 ? directory.accounts[Int(slot)].dn : plannedDNs[Int(-1 - slot)]
    }

    private func getsAccount(_ decision: LifecycleDecision, person: Person) -> Bool {
        switch decision.state {
        case .active, .leaveOfAbsence: return true
        case .leaver, .contractEnded: return false
        case .preHire: return isWithinPreHireWindow(person, today: decision.localDate)
        }
    }

    func isWithinPreHireWindow(_ person: Person, today: LocalDate) -> Bool {
        guard config.policy.preHireDays > 0, let hire = person.hireDate else { return false }
        return today.days(until: hire) <= config.policy.preHireDays
    }

    private mutating func uniqueLogin(_ generator: LoginNameGenerator, person: Person,
                                      mailTemplate: Template?) -> String {
        let candidate = generator.candidate(firstName: person.firstName, lastName: person.lastName,
                                            preferredName: person.preferredName,
                                            employeeID: person.employeeID)
        // A login is free only when the mail address made from it is free too.
        let names = { (login: String) -> [String] in
            [login.lowercased()] + (mailTemplate.map { [PlanningState.mail(from: $0, person, login)] } ?? [])
        }
        // A closure rather than the method `isTaken`: the method, passed as a value, carried a
        // copy of this whole state into every call (9 % of a 100,000-joiner plan).
        // Names are only ever taken during a run, never freed, so the search for a candidate
        // seen before goes on from the number it last settled on.
        let start = nextSuffix[candidate] ?? 1
        let (login, number) = generator.unique(candidate: candidate, from: start) { login in
            names(login).contains { isTaken($0) }
        }
        nextSuffix[candidate] = number + 1
        takenInRun.formUnion(names(login))
        return login
    }

    private static func mail(from template: Template, _ person: Person, _ login: String) -> String {
        template.render { AccountMapper.templateValue($0, person: person, login: login, managerDN: nil) }.lowercased()
    }

    func isTaken(_ name: String) -> Bool {
        directory.namesInUse.contains(name) || takenInRun.contains(name)
    }

    /// True when the row of the person's manager is quarantined this run.
    func managerIsQuarantined(_ person: Person) -> Bool {
        guard !quarantinedKeys.isEmpty, let manager = person.managerID, !manager.isEmpty else {
            return false
        }
        return quarantinedKeys.contains(Person.key(manager))
    }

    func managerDN(of person: Person) -> String? {
        guard let manager = person.managerID, !manager.isEmpty else { return nil }
        return plannedDN(Person.key(manager))?.string
    }

    // MARK: Groups

    func isMember(_ dn: DistinguishedName, of group: DistinguishedName) -> Bool {
        // The planner names its groups with the DNs built here, so the scan mostly compares
        // a string with itself; a group it does not watch is looked up directly.
        guard watched.count <= 64, let slot = watched.firstIndex(where: { $0.dn == group }) else {
            return members[group]?.contains(dn.normalized) ?? false
        }
        return memberships(of: dn.normalized) & (1 << UInt64(slot)) != 0
    }

    /// Which watched groups list `member`, one bit each; remembered for the last account,
    /// about which the planner asks one group after another.
    private func memberships(of member: String) -> UInt64 {
        if let known = lastMemberships.groups(of: member) { return known }
        var groups: UInt64 = 0
        if let index = membershipIndex {
            groups = index[member] ?? 0
        } else {
            for (slot, group) in watched.enumerated() where group.members.contains(member) {
                groups |= 1 << UInt64(slot)
            }
        }
        lastMemberships.remember(member, groups)
        return groups
    }

    /// Indexes the watched groups by member, for a plan that asks about every account: one
    /// lookup per membership here, then one per account, instead of one per watched group
    /// and account.
    mutating func indexMemberships() {
        guard watched.count <= 64 else { return }
        var index: [String: UInt64] = [:]
        index.reserveCapacity(directory.accounts.count)
        for (slot, group) in watched.enumerated() {
            for member in group.members {
                index[member, default: 0] |= 1 << UInt64(slot)
            }
        }
        membershipIndex = index
    }

    func groupDN(_ name: String) -> DistinguishedName {
        groupDNs[name] ?? config.groupDN(name)
    }

    /// False when another kind of entry holds the group's DN: the plan does not make that
    /// grant (`holdOccupiedGroups`).
    func canGrant(_ group: String) -> Bool {
        directory.occupiedGroupDNs.isEmpty || directory.occupiedGroupDNs[groupDN(group)] == nil
    }

    mutating func noteGroupNeeded(_ group: DistinguishedName) {
        if directory.groups[group] == nil { groupsToCreate.insert(group) }
    }

    // MARK: Protected accounts

    /// Why an account must not be changed, or nil when automation may change it.
    func protectedReason(_ account: ObservedAccount) -> String? {
        let rules = config.protected
        if rules.dns.contains(account.dn) { return "listed by DN" }
        if let group = rules.groups.first(where: { isMember(account.dn, of: $0) }) {
            return "member of \(group.string)"
        }
        if let attribute = rules.attribute {
            let values = account.attributes[attribute.lowercased()] ?? []
            if let value = values.first(where: { rules.values.contains($0.lowercased()) }) {
                return "\(attribute) is \(value)"
            }
        }
        return nil
    }

    mutating func protectedSkip(_ account: ObservedAccount, employeeID: String?, why: String) {
        findings.append(Finding(kind: .protected, employeeID: employeeID, dn: account.dn.string,
                                text: "protected account (\(why)): idsync changes nothing on it; "
                                    + "an operator's emergency lock is the only way to touch it"))
    }

    // MARK: Collecting

    /// A copy for planning a share of the people on another thread: the indexes are shared,
    /// the changes, findings and groups to create start empty, and the memo of the account
    /// asked about last is its own.
    func share() -> PlanningState {
        var share = self
        share.changes = []
        share.findings = []
        share.groupsToCreate = []
        share.heldByContainer = [:]
        share.lastMemberships = MembershipMemo()
        return share
    }

    /// Takes in what a share collected, after what this state collected itself.
    mutating func absorb(_ share: PlanningState) {
        changes += share.changes
        findings += share.findings
        groupsToCreate.formUnion(share.groupsToCreate)
        absorbHeld(share.heldByContainer)
    }

    mutating func add(_ change: Change) {
        changes.append(change)
    }

    mutating func finding(_ kind: Finding.Kind, _ employeeID: String?, _ dn: String?, _ text: String) {
        findings.append(Finding(kind: kind, employeeID: employeeID, dn: dn, text: text))
    }

    /// Accounts in the people subtree that no feed row accounts for, in DN order.
    func unclaimedAccounts() -> [ObservedAccount] {
        directory.accounts
            .filter { account in
                guard let id = account.employeeID, !id.isEmpty else { return true }
                return !isInFeed(Person.key(id))
            }
            .sorted { $0.dn.normalized < $1.dn.normalized }
    }

    /// Closes the plan: group creations first, then the summary.
    mutating func finish(feed: FeedSnapshot, instant: Date, runDate: LocalDate) -> Plan {
        if !directory.occupiedGroupDNs.isEmpty { holdOccupiedGroups() }
        if !heldByContainer.isEmpty { reportMissingContainers() }
        let creations = groupsToCreate.sorted { $0.normalized < $1.normalized }.map { group in
            Change(kind: .createGroup, category: .directory, employeeID: nil, login: nil,
                   dn: group.string, target: config.directory.placeholderMember.string,
                   reason: Reason(rule: "managed-group", text: "a role rule grants this group and it does not exist yet"))
        }
        // The changes are taken out of the state, so that putting the few creations in front
        // moves them instead of copying every change of a large plan.
        var all = changes
        changes = []
        all.insert(contentsOf: creations, at: 0)
        let conversions = feed.notices.map { Finding(kind: .workerConversion, employeeID: nil, dn: nil, text: $0) }
        let managers = ManagerLinks(people: feedPeople, quarantinedKeys: quarantinedKeys,
                                    column: config.feed.layout.columns[.managerID] ?? "manager_id")
        return Plan(runDate: "\(runDate)", instant: ISO8601DateFormatter().string(from: instant),
                    feed: feed.origin, directoryFingerprint: directory.fingerprint,
                    summary: summarize(all, feed: feed), changes: all,
                    findings: findings + conversions + managers.findings(), guards: [])
    }

    /// A group to create whose DN another kind of entry holds (an organizationalRole, say)
    /// would fail every night: it is not created, nobody is added to it, and one finding
    /// names the entry, its object classes and the people left out.
    private mutating func holdOccupiedGroups() {
        for group in groupsToCreate.sorted(by: { $0.normalized < $1.normalized }) {
            guard let classes = directory.occupiedGroupDNs[group] else { continue }
            groupsToCreate.remove(group)
            var left: [String] = []
            changes.removeAll { change in
                guard change.kind.isGroupMembership, change.kind != .removeFromGroup,
                      let target = change.target, (try? DistinguishedName(parsing: target)) == group
                else { return false }
                left.append(change.employeeID ?? change.dn)
                return true
            }
            let people = Array(Set(left)).sorted()
            finding(.groupDNTaken, nil, group.string,
                    "the managed group's DN is held by an entry that is no groupOfNames "
                        + "(objectClass: \(classes.joined(separator: ", "))), so idsync cannot "
                        + "create the group, and those the role rules grant it are not placed "
                        + "in it: \(people.joined(separator: ", ")). Move or remove that entry, "
                        + "or grant another group in the role rules")
        }
    }

    private func summarize(_ changes: [Change], feed: FeedSnapshot) -> PlanSummary {
        var summary = PlanSummary()
        summary.count(changes)
        summary.quarantined = feed.quarantined.count
        summary.protectedSkipped = findings.filter { $0.kind == .protected }.count
        summary.orphans = findings.filter { $0.kind == .orphan }.count
        summary.unmanagedEntries = findings.filter { $0.kind == .unmanagedEntry }.count
        summary.peopleInFeed = feed.people.count
        summary.accountsObserved = directory.accounts.count
        return summary
    }
}

/// The groups that list the account the planner asked about last (`PlanningState.isMember`).
/// A class, so that a question needs no mutable access to the state; locked, since a
/// state may be shared (`ProtectionCheck`).
final class MembershipMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var member = ""
    private var groups: UInt64 = 0

    func groups(of member: String) -> UInt64? {
        lock.withLock { self.member == member ? groups : nil }
    }

    func remember(_ member: String, _ groups: UInt64) {
        lock.withLock {
            self.member = member
            self.groups = groups
        }
    }
}

extension [Person] {
    /// True when a person with this key is in the array, which is in key order.
    func containsKey(_ key: String) -> Bool {
        let low = index(ofKey: key)
        return low < count && self[low].key == key
    }

    /// Where a person with this key is, or would be inserted, in the array in key order.
    func index(ofKey key: String) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

import Foundation

/// Who the MFA connectors are asked about in one run, and why, read off the draft plan and
/// the directory. Only people something is due for: leavers whose revocation is not yet
/// recorded complete, people waiting to enroll, new and existing privileged members.
/// Nobody else costs a connector call, so the cost does not grow with years of leavers.
struct MFAAgenda {
    struct Departure {
        let subject: MFASubject
        let category: ChangeCategory
        /// The account's state once the draft plan is applied.
        let state: AccountState
    }

    struct Grant {
        let subject: MFASubject
        let person: Person
        let changeIndex: Int
        let group: String
    }

    /// A member of groups that ask for a phishing-resistant factor, with what decides whether
    /// `mfa.noncompliant_members` may take them out.
    struct Member {
        let subject: MFASubject
        /// Nil for an account no person of the feed claims.
        let person: Person?
        let groups: [String]
        /// Why the account is protected; nil when automation may change it.
        let protected: String?
        /// The person's exceptions-file entries and the MFA level their role rules give.
        let exceptions: [AccessException]
        let level: MFALevel
    }

    /// An enabled account whose re-verification is pending once the draft is applied.
    struct Reverification {
        let subject: MFASubject
        let account: ObservedAccount
        let state: AccountState
    }

    struct Enrollment {
        let subject: MFASubject
        let account: ObservedAccount
        let state: AccountState
        let level: MFALevel
    }

    var departures: [Departure] = []
    var grants: [Grant] = []
    var enrollments: [Enrollment] = []
    var privilegedMembers: [Member] = []
    var joiners: [(changeIndex: Int, subject: MFASubject)] = []
    var reverifications: [Reverification] = []

    /// Every subject once, in the order they were met.
    var subjects: [MFASubject] {
        var seen: Set<MFASubject> = []
        let all = departures.map(\.subject) + grants.map(\.subject) + enrollments.map(\.subject)
            + privilegedMembers.map(\.subject)
        return all.filter { seen.insert($0).inserted }
    }

    init(plan: Plan, feed: FeedSnapshot, directory: ObservedDirectory, config: Config) {
        let work = PlanningState(config: config, directory: directory)
        let planned = MFAAgenda.plannedStates(plan)
        var subjectByKey: [String: MFASubject] = [:]
        var leaving: Set<String> = []

        // 1. Leavers: this run's, and earlier ones whose revocation is not recorded complete.
        for account in directory.accounts {
            guard let id = account.employeeID, !id.isEmpty else { continue }
            let key = Person.key(id)
            let state = planned[key]?.state ?? account.state
            guard let state, state.revocationPending, !state.revocationComplete else { continue }
            let disabledNow = planned[key]?.disables ?? false
            guard disabledNow || account.lock == .administrative, work.protectedReason(account) == nil else { continue }
            let subject = MFAAgenda.subject(id, account)
            subjectByKey[key] = subject
            leaving.insert(key)
            departures.append(Departure(subject: subject, category: planned[key]?.category ?? .leaver, state: state))
        }

        // 2. Accounts waiting to enroll, with the level their roles ask for.
        let people = MFAAgenda.people(feed, keys: Set(directory.accounts.compactMap { account in
            account.state?.enrollmentPending == true ? account.employeeID.map(Person.key) : nil
        }).union(plan.changes.filter { $0.kind == .addToGroup }.compactMap { $0.employeeID.map(Person.key) }))
        let mapper = AccountMapper(config: config)
        for account in directory.accounts where account.lock == .none {
            guard let id = account.employeeID, let person = people[Person.key(id)] else { continue }
            let key = Person.key(id)
            let state = planned[key]?.state ?? account.state
            guard let state, state.enrollmentPending, !leaving.contains(key) else { continue }
            let subject = MFAAgenda.subject(id, account)
            subjectByKey[key] = subject
            let level = mapper.matchingRules(person).map(\.mfa).max() ?? .none
            enrollments.append(Enrollment(subject: subject, account: account, state: state, level: level))
        }

        // 3. New grants of groups that ask for a phishing-resistant factor.
        for (index, change) in plan.changes.enumerated() where change.kind == .addToGroup {
            guard let id = change.employeeID, let person = people[Person.key(id)],
                  let group = MFAAgenda.strictGroup(change.target, person: person, mapper: mapper, config: config)
            else { continue }
            let subject = subjectByKey[Person.key(id)]
                ?? MFASubject(employeeID: id, login: change.login ?? "", dn: change.dn)
            subjectByKey[Person.key(id)] = subject
            grants.append(Grant(subject: subject, person: person, changeIndex: index, group: group))
        }

        // 4. Existing members of groups that ask for a phishing-resistant factor: reported when
        //    they have none, and removed under mfa.noncompliant_members from its date.
        let members = MFAAgenda.strictMemberships(directory, feed: feed, leaving: leaving,
                                                  work: work, config: config)
        let memberPeople = MFAAgenda.people(feed, keys: Set(members.map(\.key)))
        for (key, account, candidates) in members {
            let person = memberPeople[key]
            let rules = person.map(mapper.matchingRules) ?? []
            let groups = candidates.filter { name in
                config.roles.isPrivileged(name) || MFAAgenda.asksPhishingResistant(name, rules: rules)
            }
            guard !groups.isEmpty else { continue }
            let subject = subjectByKey[key] ?? MFAAgenda.subject(account.employeeID ?? "", account)
            privilegedMembers.append(Member(
                subject: subject, person: person, groups: groups,
                protected: work.protectedReason(account),
                exceptions: person.map(mapper.exceptions(for:)) ?? [],
                level: rules.map(\.mfa).max() ?? .none))
        }

        // 5. Movers waiting to re-verify: only they cost a log query.
        for account in directory.accounts where account.lock == .none {
            guard let id = account.employeeID, !id.isEmpty else { continue }
            let key = Person.key(id)
            guard let state = planned[key]?.state ?? account.state, state.reverificationPending,
                  !leaving.contains(key), !(planned[key]?.disables ?? false) else { continue }
            let subject = subjectByKey[key] ?? MFAAgenda.subject(id, account)
            reverifications.append(Reverification(subject: subject, account: account, state: state))
        }

        // 6. Joiners, for connectors that create their users.
        for (index, change) in plan.changes.enumerated()
        where change.kind == .createAccount && !change.createsLockedAccount {
            guard let id = change.employeeID else { continue }
            let mail = change.attributes.first { $0.name.lowercased() == "mail" }?.after.first
            joiners.append((index, MFASubject(employeeID: id, login: change.login ?? "", dn: change.dn, mail: mail)))
        }
    }

    static func subject(_ id: String, _ account: ObservedAccount) -> MFASubject {
        MFASubject(employeeID: id, login: account.login, dn: account.dn.string,
                   mail: account.attributes["mail"]?.first)
    }

    /// The state each person's account carries once the draft is applied (the last change
    /// that writes one), and whether the draft disables it.
    static func plannedStates(_ plan: Plan)
        -> [String: (state: AccountState, disables: Bool, category: ChangeCategory)] {
        var states: [String: (state: AccountState, disables: Bool, category: ChangeCategory)] = [:]
        for change in plan.changes {
            guard let id = change.employeeID, let stored = change.state,
                  let state = AccountState(stored: stored) else { continue }
            let key = Person.key(id)
            let disables = change.kind == .disable || (states[key]?.disables ?? false)
            states[key] = (state, disables, change.category)
        }
        return states
    }

    static func people(_ feed: FeedSnapshot, keys: Set<String>) -> [String: Person] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: Person] = [:]
        for person in feed.people where keys.contains(person.key) {
            found[person.key] = person
        }
        return found
    }

    /// The group's name when granting it asks for a phishing-resistant factor: a privileged
    /// group, or one a `phishing-resistant` rule grants, unless a rule of a lower level
    /// that matches the person grants it too (then the person would have it anyway).
    static func strictGroup(_ target: String?, person: Person, mapper: AccountMapper, config: Config) -> String? {
        guard let target else { return nil }
        let rules = mapper.matchingRules(person)
        let name = rules.flatMap(\.groups).first { config.groupDN($0).string == target }
        guard let name else { return nil }
        let strict = config.roles.privilegedGroups.contains(name)
            || asksPhishingResistant(name, rules: rules)
        return strict ? name : nil
    }

    /// Whether the person's matching `rules` grant `group` only at the phishing-resistant level.
    static func asksPhishingResistant(_ group: String, rules: [RoleRule]) -> Bool {
        let granting = rules.filter { $0.groups.contains(group) }
        return !granting.isEmpty && granting.allSatisfy { $0.mfa == .phishingResistant }
    }

    /// Accounts (not leaving) in a privileged group, or in a group some phishing-resistant
    /// rule grants when such a rule matches the person, with those groups by name: the
    /// candidates of step 4, before each person's own rules narrow them.
    static func strictMemberships(_ directory: ObservedDirectory, feed: FeedSnapshot,
                                  leaving: Set<String>, work: PlanningState, config: Config)
        -> [(key: String, account: ObservedAccount, groups: [String])] {
        let roles = config.roles
        let strictRules = roles.rules.filter { $0.mfa == .phishingResistant }
        let groups = roles.managedGroups.union(roles.privilegedGroups).sorted()
            .map { ($0, config.groupDN($0)) }
        let privileged = groups.filter { roles.isPrivileged($0.0) }
        let wide = groups.filter { group in
            !roles.isPrivileged(group.0) && strictRules.contains { $0.groups.contains(group.0) }
        }
        // Only someone a phishing-resistant rule matches can hold a wide group (ehr-users) at
        // that level: finding them first spares a rule match per member of such a group.
        let strictKeys = wide.isEmpty ? [] : Set(feed.people.filter { person in
            strictRules.contains { rule in matches(rule, person) }
        }.map(\.key))
        return directory.accounts.compactMap { account in
            guard let id = account.employeeID, !id.isEmpty, !leaving.contains(Person.key(id)) else {
                return nil
            }
            let key = Person.key(id)
            let candidates = privileged + (strictKeys.contains(key) ? wide : [])
            let held = candidates.filter { work.isMember(account.dn, of: $0.1) }.map(\.0).sorted()
            return held.isEmpty ? nil : (key, account, held)
        }
    }

    /// Whether the person meets every condition of the rule, as `matchingRules` decides it.
    static func matches(_ rule: RoleRule, _ person: Person) -> Bool {
        rule.match.allSatisfy { field, values in
            values.contains(AccountMapper.value(of: field, in: person).lowercased())
        }
    }
}

import Foundation

/// Computes the plan: a pure function of (feed, observed directory, config, instant).
///
/// Nothing here reads the clock, the network or a file, so every case is a unit test.
public struct Planner: Sendable {
    let config: Config
    let mapper: AccountMapper
    let lifecycle: LifecycleRules
    let instant: Date
    /// From this many people on, the feed is planned in two halves at once (`planEach`).
    var parallelFrom = 2_000

    public init(config: Config, instant: Date) {
        self.config = config
        self.mapper = AccountMapper(config: config)
        self.instant = instant
        let zones = config.locationZones
        let site = config.timeZone
        self.lifecycle = LifecycleRules(instant: instant) { zones[$0.lowercased()] ?? site }
    }

    /// Plans the run. Guards are evaluated by `Guards` on the result, not here.
    public func plan(feed: FeedSnapshot, directory: ObservedDirectory) -> Plan {
        var work = PlanningState(config: config, directory: directory)

        // 1. People in the feed, in employee-id order so that plans are stable.
        let people = Planner.inKeyOrder(feed.people)
        work.feedPeople = people
        // Rows set aside are known before anyone is planned (and only read while people are
        // planned, on two threads): a manager's unreadable row must not clear their reports'
        // manager attribute.
        work.quarantinedKeys = feed.quarantinedKeys
        work.indexMemberships()
        work.holdProbableAccounts(people: people)
        // Accounts no feed row speaks for are known now: a joiner named like one that
        // vanishes this run gets no login (PlanningState+Namesakes).
        let feedIsWhole = feed.quarantined.allSatisfy { $0.employeeID != nil }
        let unclaimed = work.unclaimedAccounts()
        if feedIsWhole, config.feed.missingPerson == .leaver { work.indexVanishing(unclaimed) }
        let decisions = people.map { lifecycle.decide($0) }
        work.chooseLogins(people: people, decisions: decisions, config: config)
        planEach(people, decisions, work: &work)
        reportExceptions(people: people, decisions: decisions, feed: feed, work: &work)
        reportUnmatchedValues(work: &work)

        // 2. Rows set aside: a plain termination still disables, the rest are held.
        for record in feed.quarantined {
            planQuarantined(record, work: &work)
        }
        reportQuarantinedManagers(people, work: &work)

        // 3. Accounts no feed row speaks for: vanished people and orphans.
        for account in unclaimed {
            planUnclaimed(account, feedIsWhole: feedIsWhole, work: &work)
        }
        for entry in directory.loginless {
            reportLoginless(entry, work: &work)
        }
        reportVanishedDuplicates(work: &work)
        for entry in directory.outsidePeople {
            reportOutsidePeople(entry, work: &work)
        }
        work.reportForeignMembers()

        return work.finish(feed: feed, instant: instant, runDate: LocalDate(instant, in: config.timeZone))
    }

    /// An entry with an employee id and no login is no account: idsync can neither bring it
    /// in line nor disable it, and a password on it still binds after the person leaves.
    private func reportLoginless(_ entry: LoginlessEntry, work: inout PlanningState) {
        let login = config.mapping.loginAttribute
        work.finding(.unmanagedEntry, entry.employeeID, entry.dn,
                     "this entry carries employeeNumber \(entry.employeeID) but no \(login), so "
                         + "idsync can neither manage nor disable it (a password on it still "
                         + "binds when the person leaves). Give it a \(login) so that idsync "
                         + "manages it, or remove the entry")
    }

    /// The people in employee-id order. A feed reader hands them over sorted already, and
    /// then the array is used as it is rather than copied: it holds every person.
    static func inKeyOrder(_ people: [Person]) -> [Person] {
        let sorted = zip(people, people.dropFirst()).allSatisfy { $0.key <= $1.key }
        return sorted ? people : people.sorted { $0.key < $1.key }
    }

    /// Plans each person of the feed. What one person's plan reads was settled before this
    /// step (accounts, memberships, logins and planned DNs), so a large feed is planned in two
    /// halves at once, the second on another thread into its own share of the state. The second
    /// half's changes and findings then follow the first half's: the order one thread gives.
    private func planEach(_ people: [Person], _ decisions: [LifecycleDecision],
                          work: inout PlanningState) {
        let middle = people.count >= parallelFrom ? people.count / 2 : people.count
        let secondHalf = middle == people.count ? nil : BackgroundJob { [self, work] in
            var work = work.share()
            for index in middle..<people.count {
                plan(person: people[index], decision: decisions[index], work: &work)
            }
            return work
        }

        for index in 0..<middle {
            plan(person: people[index], decision: decisions[index], work: &work)
        }
        // The job throws nothing; `try!` only unwraps the Result it keeps.
        if let secondHalf { work.absorb(try! secondHalf.result()) }
    }

    private func plan(person: Person, decision: LifecycleDecision, work: inout PlanningState) {
        if let conflict = decision.conflict {
            work.finding(.conflict, person.employeeID, nil, "\(person.source): \(conflict)")
        }
        if let entries = work.duplicatedAccounts(person.key) {
            planDuplicated(person, decision: decision, entries: entries, work: &work)
            return
        }
        let account = work.account(for: person.key)
        if let account, let why = work.protectedReason(account) {
            work.protectedSkip(account, employeeID: person.employeeID, why: why)
            return
        }
        if let account, account.state?.terminatedOn != nil,
           planAfterTermination(account, person: person, decision: decision, work: &work) { return }
        switch decision.state {
        case .leaver, .contractEnded:
            guard let account else { return }
            let reason: DisableReason = decision.state == .leaver ? .leaver : .contractEnded
            planLeaver(account, person: person, reason: reason, evidence: decision.evidence, work: &work)
        case .leaveOfAbsence where config.policy.leaveOfAbsence == .disable:
            guard let account else { return }
            planLeave(account, person: person, decision: decision, work: &work)
        case .preHire:
            planPreHire(person, decision: decision, account: account, work: &work)
        case .active, .leaveOfAbsence:
            planActive(person, decision: decision, account: account, work: &work)
        }
    }
}

import Foundation

extension Planner {
    /// A leaver or an ended contract: disable at once, flag revocation, leave every managed group.
    /// A later run that finds the account disabled but still in a group removes it then.
    func planLeaver(_ account: ObservedAccount, person: Person?, reason: DisableReason,
                    evidence: [FieldEvidence], work: inout PlanningState) {
        let category: ChangeCategory = reason == .contractEnded ? .contractEnded
            : (reason == .orphan ? .orphan : .leaver)
        let old = account.state ?? AccountState()
        let today = lifecycle.localDate(in: person.map { config.zone(forLocation: $0.location) } ?? config.timeZone)
        let why = leaverText(reason)

        // A lock for a lapsed enrollment is idsync's too, but a leaver's facts replace it.
        let ours = account.lock == .administrative && old.disabledBy != nil && old.disabledBy != .enrollmentLapsed
        let employeeID = person?.employeeID ?? account.employeeID
        if ours, reason != .orphan {
            planLeftoverCredentials(account, employeeID: employeeID, category: category, old: old,
                                    evidence: evidence, work: &work)
        }
        if !ours {
            var state = old
            if account.lock != .administrative || old.disabledBy == .enrollmentLapsed {
                state.disabledBy = reason
                state.disabledOn = today
            }
            state.enrollmentPending = false
            state.reverificationPending = false
            state.reverificationDemanded = nil
            state.revocationPending = reason != .orphan
            // Orphans keep their credentials: idsync never claimed them, and one may yet be adopted.
            let wipe = reason == .orphan ? [] : credentialWipe(account, old: old, relocking: true)
            if !wipe.isEmpty { state.credentialsWiped = true }
            let kind: ChangeKind = account.lock == .administrative ? .setAttributes : .disable
            // Locked by someone else, and the facts already recorded by an earlier run: done.
            let recorded = kind == .setAttributes && account.state != nil && state == old
            if !recorded { work.add(Change(kind: kind, category: category, employeeID: employeeID,
                            login: account.login, dn: account.dn.string, attributes: stateClassEdit(account),
                            state: state.stored, reason: Reason(rule: "lifecycle", text: why, fields: evidence),
                            wipe: wipe.isEmpty ? nil : wipe)) }
        }
        guard reason != .orphan else { return }
        for group in work.managedGroupDNs where work.isMember(account.dn, of: group) {
            removeFromGroup(group, employeeID: person?.employeeID ?? account.employeeID, login: account.login,
                            dn: account.dn, category: category,
                            reason: Reason(rule: "lifecycle", text: "\(why): out of every managed group", fields: evidence),
                            work: &work)
        }
    }

    private func leaverText(_ reason: DisableReason) -> String {
        switch reason {
        case .leaver: return "left: the termination date has passed or HR says terminated"
        case .contractEnded: return "contract ended: the end date has passed"
        case .vanished: return "gone from a complete, trusted feed"
        case .orphan: return "orphan: idsync never claimed this account and policy disables orphans"
        case .leaveOfAbsence: return "leave of absence: policy disables without revoking"
        case .prehire: return "created ahead of the start date"
        case .enrollmentLapsed: return "the MFA enrollment window closed without a factor"
        }
    }

    /// Leave of absence under a policy that disables: no revocation, groups kept.
    func planLeave(_ account: ObservedAccount, person: Person, decision: LifecycleDecision,
                   work: inout PlanningState) {
        guard account.lock == .none else { return }
        var state = account.state ?? AccountState()
        state.disabledBy = .leaveOfAbsence
        state.disabledOn = decision.localDate
        work.add(Change(kind: .disable, category: .mover, employeeID: person.employeeID, login: account.login,
                        dn: account.dn.string, attributes: stateClassEdit(account), state: state.stored,
                        reason: Reason(rule: "leave-of-absence", text: "on leave: policy disables without revoking",
                                       fields: decision.evidence)))
    }

    /// One `manager` finding for each manager whose row is quarantined and who has reports
    /// in the feed: the reports' accounts keep the manager they have, and a joiner among them
    /// is created without one until the manager's row reads again.
    func reportQuarantinedManagers(_ people: [Person], work: inout PlanningState) {
        guard !work.quarantinedKeys.isEmpty, !mapper.managerKeys.isEmpty else { return }

        var reports: [String: [Person]] = [:]
        for person in people where work.managerIsQuarantined(person) {
            reports[Person.key(person.managerID ?? ""), default: []].append(person)
        }
        for (_, group) in reports.sorted(by: { $0.key < $1.key }) {
            let manager = group[0].managerID ?? ""
            let kept = group.filter { work.observedAccount($0.key) != nil }.map(\.employeeID)
            let joiners = group.filter { work.observedAccount($0.key) == nil }.map(\.employeeID)
            var text = "the row of manager \(manager) is quarantined, so idsync cannot read who "
                + "they are this run"
            if !kept.isEmpty {
                text += "; the manager on the accounts of \(kept.joined(separator: ", ")) is "
                    + "left as it is"
            }
            if !joiners.isEmpty {
                text += "; the accounts of \(joiners.joined(separator: ", ")) are created "
                    + "without a manager for now"
            }
            text += ". Fix the manager's row in HR: the next run sets the manager again"
            work.finding(.manager, manager, nil, text)
        }
    }

    /// A quarantined row: the account stays as it is, unless the row still states a termination.
    func planQuarantined(_ record: QuarantinedRecord, work: inout PlanningState) {
        let problems = record.problems.joined(separator: "; ")
        guard let id = record.employeeID else {
            work.finding(.quarantined, nil, nil, "\(record.source): \(problems)")
            return
        }
        let key = Person.key(id)
        guard let person = record.termination, let account = work.observedAccount(key) else {
            work.finding(.quarantined, id, nil, "\(record.source): \(problems); the account is left as it is")
            return
        }
        let decision = lifecycle.decide(person)
        guard decision.state == .leaver || decision.state == .contractEnded else {
            work.finding(.quarantined, id, nil, "\(record.source): \(problems); the account is left as it is")
            return
        }
        let reason: DisableReason = decision.state == .leaver ? .leaver : .contractEnded

        // Leavers never wait, not even for a second entry that carries their id.
        if let entries = work.duplicatedAccounts(key) {
            work.finding(.quarantined, id, nil, "\(record.source): \(problems); the termination "
                            + "is still plain, so the person's accounts are disabled")
            planDuplicated(person, reason: reason, evidence: decision.evidence, entries: entries,
                           work: &work)
            return
        }
        work.finding(.quarantined, id, account.dn.string,
                     "\(record.source): \(problems); the termination is still plain, so the account is disabled")
        if let why = work.protectedReason(account) {
            work.protectedSkip(account, employeeID: id, why: why)
            return
        }
        planLeaver(account, person: person, reason: reason, evidence: decision.evidence,
                   work: &work)
    }

    /// An account no feed row speaks for: a vanished person if idsync manages it, else an orphan.
    func planUnclaimed(_ account: ObservedAccount, feedIsWhole: Bool, work: inout PlanningState) {
        if let why = work.protectedReason(account) {
            work.protectedSkip(account, employeeID: account.employeeID, why: why)
            return
        }
        // An orphan idsync disabled by policy carries idsync's state, but idsync still never
        // claimed it: it stays an orphan, not a leaver whose groups go.
        let managed = account.isClaimed && account.employeeID != nil
        guard managed else {
            let probable = work.probableAccounts.contains(account.dn.normalized)
                ? "; probably a person's in the feed: held for idsync adopt" : ""
            work.finding(.orphan, account.employeeID, account.dn.string,
                         "in the managed subtree but idsync never claimed it (no employee id it manages)"
                            + probable)
            guard config.policy.orphans == .disable, account.lock == .none,
                  !work.probableAccounts.contains(account.dn.normalized) else { return }
            planLeaver(account, person: nil, reason: .orphan, evidence: [], work: &work)
            return
        }
        let stillInGroups = work.managedGroupDNs.contains { work.isMember(account.dn, of: $0) }
        let leftover = credentialWipe(account, old: account.state ?? AccountState(), relocking: false)
        let done = account.lock == .administrative && account.state?.disabledBy != nil && !stillInGroups
            && leftover.isEmpty
        guard !done else { return }
        guard feedIsWhole else {
            work.finding(.held, account.employeeID, account.dn.string,
                         "not in the feed, but the feed has rows without an employee id; held until they are fixed")
            return
        }
        guard config.feed.missingPerson == .leaver else {
            work.finding(.held, account.employeeID, account.dn.string,
                         "not in the feed; policy says report instead of disabling")
            return
        }
        planLeaver(account, person: nil, reason: .vanished,
                   evidence: [FieldEvidence(field: "employee_id", value: account.employeeID ?? "")], work: &work)
    }
}

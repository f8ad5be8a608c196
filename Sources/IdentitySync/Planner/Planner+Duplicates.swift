import Foundation

extension Planner {
    /// A person whose employee id several entries carry. Which entry is the person's account
    /// is for a human to say, so a finding names them all and nothing else is planned; except
    /// for a leaver, who never waits: one added entry must not shield a person from leaving.
    func planDuplicated(_ person: Person, decision: LifecycleDecision,
                        entries: [ObservedAccount], work: inout PlanningState) {
        switch decision.state {
        case .leaver, .contractEnded:
            let reason: DisableReason = decision.state == .leaver ? .leaver : .contractEnded
            planDuplicated(person, reason: reason, evidence: decision.evidence, entries: entries,
                           work: &work)
        case .active, .leaveOfAbsence, .preHire:
            reportDuplicated(person.employeeID, entries,
                             outcome: "nothing is changed for this person until one is left",
                             work: &work)
        }
    }

    /// A leaver whose id several entries carry: every entry idsync claimed (created or
    /// adopted) is disabled and taken out of the managed groups; where it claimed none, every
    /// one of them is, since each is an account under the people subtree. Protected entries
    /// are never touched.
    func planDuplicated(_ person: Person, reason: DisableReason, evidence: [FieldEvidence],
                        entries: [ObservedAccount], work: inout PlanningState) {
        let claimed = entries.filter(\.isClaimed)
        let targets = claimed.isEmpty ? entries : claimed
        let which = claimed.isEmpty
            ? "idsync claimed none of them, so every one"
            : "the ones idsync claimed (\(claimed.map(\.dn.string).joined(separator: "; ")))"
        reportDuplicated(person.employeeID, entries,
                         outcome: "the person has left, so \(which) is disabled and taken out of "
                            + "the managed groups (protected entries excepted)",
                         work: &work)

        for account in targets {
            if let why = work.protectedReason(account) {
                work.protectedSkip(account, employeeID: person.employeeID, why: why)
                continue
            }
            planLeaver(account, person: person, reason: reason, evidence: evidence, work: &work)
        }
    }

    /// The ids that several entries carry and no feed row speaks for: each entry is planned
    /// on its own as an account no row speaks for (`planUnclaimed`), and one finding names
    /// them together.
    func reportVanishedDuplicates(work: inout PlanningState) {
        for key in work.duplicates.keys.sorted() where !work.isInFeed(key) {
            guard let entries = work.duplicatedAccounts(key) else { continue }
            reportDuplicated(entries[0].employeeID ?? key, entries,
                             outcome: "no feed row carries the id, so each is handled as an "
                                + "account no row speaks for (a vanished person's or an orphan)",
                             work: &work)
        }
    }

    private func reportDuplicated(_ employeeID: String, _ entries: [ObservedAccount],
                                  outcome: String, work: inout PlanningState) {
        let dns = entries.map(\.dn.string).joined(separator: "; ")
        work.finding(.duplicateEmployeeID, employeeID, nil,
                     "employee id \(employeeID) is carried by \(entries.count) entries: \(dns). "
                        + "idsync keeps one account per person, and \(outcome). Remove the "
                        + "entries that are not this person's account, or correct their "
                        + "employeeNumber")
    }
}

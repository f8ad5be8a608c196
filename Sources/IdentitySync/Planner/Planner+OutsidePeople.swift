import Foundation

extension Planner {
    /// An entry outside the people subtree that idsync claimed, or that carries a feed
    /// person's employee id: most likely an account moved out by hand. idsync manages nothing
    /// there, so it neither updates nor disables it; forgetting it silently gave the person a
    /// second account, and left a leaver's enabled. The plan names it instead, and the person
    /// gets no second account while it is there (`PlanningState.isOutsidePeople`).
    func reportOutsidePeople(_ entry: OutsideEntry, work: inout PlanningState) {
        let key = entry.employeeID.map(Person.key)
        let person = key.flatMap { work.feedPerson($0) }
        guard entry.claimed || person != nil else { return }

        let people = config.directory.people.string
        let carries = entry.employeeID.map { "employee id \($0)" } ?? "no employee id"
        let claimed = entry.claimed ? ", idsync's state" : ""
        let head = "this entry carries \(carries)\(claimed) but is outside directory.people "
            + "(\(people)), where idsync manages nothing: it neither updates nor disables it. "
        work.finding(.accountOutsidePeople, entry.employeeID, entry.dn,
                     head + outsideAdvice(entry, person: person, work: work))
    }

    private func outsideAdvice(_ entry: OutsideEntry, person: Person?,
                               work: PlanningState) -> String {
        let back = "move it back under \(config.directory.people.string)"
        guard let person else {
            return "No feed row carries its id; if the person left, "
                + stillOpen(entry) + ". To end it, \(back) (the next run disables it as a "
                + "vanished person; idsync terminate refuses entries outside people), or remove it"
        }
        switch lifecycle.decide(person).state {
        case .leaver, .contractEnded:
            return "The person has left, and " + stillOpen(entry) + ". Move it back under "
                + "\(config.directory.people.string) so that the next run disables it "
                + "(idsync terminate refuses entries outside people), or disable and remove it "
                + "by hand"
        case .active, .leaveOfAbsence, .preHire:
            if let account = work.account(for: person.key) {
                return "The person's account is \(account.dn.string); remove this entry's "
                    + "employeeNumber if it is another account of theirs, or the entry"
            }
            return "No second account is created for the person while it is there: \(back) "
                + "(idsync manages it again from the next run), or remove it to have a new "
                + "one created"
        }
    }

    private func stillOpen(_ entry: OutsideEntry) -> String {
        entry.locked
            ? "the account is locked but keeps its group memberships"
            : "the account is still enabled and keeps its group memberships"
    }
}

import Foundation

extension Planner {
    /// Why a group no rule grants is added: the exception, who approved it and until when.
    func exceptionReason(_ group: String, desired: DesiredAccount) -> Reason? {
        guard let entry = desired.exceptions.granted.first(where: { $0.group == group }) else {
            return nil
        }
        let privileged = config.roles.isPrivileged(group) ? " (privileged)" : ""
        return Reason(
            rule: "exception",
            text: "\(entry.source): exception grants \(group)\(privileged) until "
                + "\(entry.until), approved by \(entry.approvedBy): \(entry.why)",
            fields: exceptionEvidence(entry))
    }

    /// Why a group goes the day after its exception's `until`.
    func endedExceptionReason(_ group: String, desired: DesiredAccount) -> Reason? {
        guard let entry = desired.exceptions.ended.first(where: { $0.group == group }) else {
            return nil
        }
        return Reason(
            rule: "exception",
            text: "\(entry.source): the exception for \(group), approved by "
                + "\(entry.approvedBy), ended on \(entry.until) and no role rule grants it",
            fields: exceptionEvidence(entry))
    }

    private func exceptionEvidence(_ entry: AccessException) -> [FieldEvidence] {
        [
            FieldEvidence(field: "until", value: "\(entry.until)"),
            FieldEvidence(field: "approved_by", value: entry.approvedBy),
        ]
    }

    /// Findings about the exceptions file: entries that end within `warnDays`, were refused
    /// or held, or name an employee id the feed does not have. None of them stops the run.
    func reportExceptions(
        people: [Person], decisions: [LifecycleDecision], feed: FeedSnapshot,
        work: inout PlanningState
    ) {
        let entries = config.exceptions.entries
        guard !entries.isEmpty else { return }
        // The people are in key order: a search each, rather than a set of every key.
        let quarantined = feed.quarantinedKeys
        let known = { (key: String) in people.containsKey(key) || quarantined.contains(key) }
        for entry in entries where !known(Person.key(entry.employeeID)) {
            work.finding(
                .exception, entry.employeeID, nil,
                "\(entry.source): no person with this employee id in the feed, so the exception "
                    + "grants nothing; correct the id or remove the entry"
            )
        }
        for (person, decision) in zip(people, decisions)
        where !mapper.exceptions(for: person).isEmpty {
            guard decision.state == .active || decision.state == .leaveOfAbsence else { continue }
            reportExceptions(of: person, decision: decision, work: &work)
        }
    }

    private func reportExceptions(
        of person: Person, decision: LifecycleDecision, work: inout PlanningState
    ) {
        let rules = mapper.matchingRules(person)
        let level = rules.map(\.mfa).max() ?? .none
        let grants = mapper.exceptionGrants(
            person, on: decision.localDate, level: level,
            ruleGroups: Set(rules.flatMap(\.groups)))
        let today = decision.localDate
        for entry in grants.granted
        where today.days(until: entry.until) <= config.exceptions.warnDays {
            let days = today.days(until: entry.until)
            let when = days == 0 ? "today" : "in \(days) days"
            work.finding(
                .exception, person.employeeID, nil,
                "\(entry.source): the exception for \(entry.group) ends on \(entry.until) (\(when)); "
                    + "the group goes on \(entry.until.adding(days: 1)) unless the entry is renewed")
        }
        let unmet =
            "is privileged and this person's role rules give MFA level \(level.rawValue), "
            + "not phishing-resistant"
        for entry in grants.refused {
            work.finding(
                .exception, person.employeeID, nil,
                "\(entry.source): refused: \(entry.group) \(unmet); "
                    + "give the access through a role rule that demands phishing-resistant MFA")
        }
        for entry in grants.held {
            work.finding(
                .held, person.employeeID, nil,
                "\(entry.source): the exception for \(entry.group) is held: "
                    + "the group \(unmet); it is granted once the person's roles give that level")
        }
    }
}

import Foundation

extension MFAPlanner {
    /// Members of groups that ask for a phishing-resistant factor who have none: reported,
    /// and under `mfa.noncompliant_members`, from its date on the person's local date, removed
    /// from those groups. The role rules still grant them, so the normal hold path grants
    /// them again once a factor is registered.
    func planMembers(_ agenda: MFAAgenda, _ observations: MFAObservations, plan: inout Plan,
                     added: inout [Change]) {
        for member in agenda.privilegedMembers {
            let (compliant, registered) = compliance(member.subject, observations)
            guard !compliant else { continue }
            let without = "member of \(member.groups.joined(separator: ", ")) without a "
                + "phishing-resistant factor; \(registered)"
            guard let policy = config.mfa.memberRemoval else {
                plan.findings.append(finding(.nonCompliant, member.subject, without))
                continue
            }
            guard policy.applies(on: localDate(of: member.person)) else {
                let text = without + "; removed on \(policy.from) under \(policy.name) unless a "
                    + "FIDO2/WebAuthn, passkey or certificate factor is registered before then"
                plan.findings.append(finding(.nonCompliant, member.subject, text))
                continue
            }
            planRemoval(member, policy, without: without, observations, plan: &plan, added: &added)
        }
    }

    /// The removals of one member the policy applies to, or the finding that says why none.
    private func planRemoval(_ member: MFAAgenda.Member, _ policy: MemberRemoval, without: String,
                             _ observations: MFAObservations, plan: inout Plan,
                             added: inout [Change]) {
        if let why = member.protected {
            let text = without + "; a protected account (\(why)): never removed"
            plan.findings.append(finding(.nonCompliant, member.subject, text))
            return
        }

        // A connector that did not answer may hold the factor: no ground to remove anyone.
        let unanswered = observations.connectors.map(\.name).filter { name in
            if case .failure = observations.lookup(name, member.subject) { return true }
            return false
        }
        guard unanswered.isEmpty else {
            let text = without + "; not removed under \(policy.name) while "
                + unanswered.joined(separator: ", ") + " cannot be asked; the next run asks again"
            plan.findings.append(finding(.mfaUnchecked, member.subject, text))
            return
        }

        // Each group goes unless an exception keeps it; the draft may already remove it.
        let today = localDate(of: member.person)
        var kept: [String] = []
        var removed: [String] = []
        for group in member.groups {
            if let entry = keepingException(member, group: group, on: today) {
                kept.append("\(group) by the exception at \(entry.source) "
                            + "(approved by \(entry.approvedBy) until \(entry.until))")
                continue
            }
            removed.append(group)
            let change = removal(member.subject, from: group, policy, without: without)
            if !plan.changes.contains(where: { $0.isSameGroupChange(as: change) }) {
                added.append(change)
            }
        }
        plan.findings.append(finding(.nonCompliant, member.subject,
                                     outcome(without, removed: removed, kept: kept, policy)))
    }

    private func removal(_ subject: MFASubject, from group: String, _ policy: MemberRemoval,
                         without: String) -> Change {
        let text = "\(policy.name): \(without); \(group) is granted again once a "
            + "phishing-resistant factor is registered"
        return Change(kind: .removeFromGroup, category: .mover, employeeID: subject.employeeID,
                      login: subject.login, dn: subject.dn, target: config.groupDN(group).string,
                      reason: Reason(rule: "mfa-noncompliant-members", text: text,
                                     fields: [FieldEvidence(field: "remove_from",
                                                            value: "\(policy.from)")]))
    }

    private func outcome(_ without: String, removed: [String], kept: [String],
                         _ policy: MemberRemoval) -> String {
        var text = without
        if !removed.isEmpty {
            text += "; removed from \(removed.joined(separator: ", ")) under \(policy.name), "
                + "granted again once a phishing-resistant factor is registered"
        }
        if !kept.isEmpty { text += "; kept in " + kept.joined(separator: "; ") }
        return text
    }

    /// The exceptions-file entry that keeps a member in `group` on `date`: one in force for
    /// that group, unless `exceptions.privileged: refuse` refuses it, as it refuses the grant
    /// to someone whose role rules give a lower level (`hold` keeps such a membership).
    func keepingException(_ member: MFAAgenda.Member, group: String, on date: LocalDate)
        -> AccessException? {
        let refused = config.exceptions.privileged == .refuse
            && config.roles.isPrivileged(group) && member.level < .phishingResistant
        guard !refused else { return nil }
        return member.exceptions.first { $0.group == group && $0.holds(on: date) }
    }

    /// The person's local date at the run's instant, as the lifecycle reads it; the site's
    /// date for an account no person claims.
    func localDate(of person: Person?) -> LocalDate {
        let zone = person.map { config.zone(forLocation: $0.location) } ?? config.timeZone
        return LocalDate(instant, in: zone)
    }
}

extension Change {
    /// Both take the same person out of (or put them into) the same group.
    func isSameGroupChange(as other: Change) -> Bool {
        kind == other.kind && target == other.target
            && employeeID.map(Person.key) == other.employeeID.map(Person.key)
    }
}

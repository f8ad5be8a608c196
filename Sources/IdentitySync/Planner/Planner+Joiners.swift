import Foundation

extension Planner {
    /// Active (or on leave that keeps access): create the account, or bring the existing
    /// one in line with HR.
    func planActive(_ person: Person, decision: LifecycleDecision, account: ObservedAccount?,
                    work: inout PlanningState) {
        guard let account else {
            planJoiner(person, decision: decision, work: &work)
            return
        }
        planExisting(person, decision: decision, account: account, work: &work)
    }

    /// A joiner: the entry with its state, its role groups, the MFA enrollment flag.
    func planJoiner(_ person: Person, decision: LifecycleDecision, work: inout PlanningState,
                    locked: Bool = false) {
        guard !work.holdsForAdoption(person) else { return }
        // An account moved out of the people subtree is named by `reportOutsidePeople`.
        guard !work.isOutsidePeople(person.key) else { return }
        guard !work.holdsForVanishedNamesake(person) else { return }
        guard let login = work.chosenLogins[person.key] else {
            work.noteHeldPlacement(person, mapper: mapper, account: nil)
            return
        }
        let desired = mapper.desired(person, decision: decision, login: login,
                                     managerDN: work.managerDN(of: person),
                                     dn: work.plannedDN(person.key))
        let state = joinerState(on: decision.localDate, locked: locked)
        let reason = joinerReason(person, rules: desired.rules, locked: locked)
        work.add(Change(kind: .createAccount, category: .joiner, employeeID: person.employeeID, login: login,
                        dn: desired.dn.string, attributes: creationAttributes(desired), state: state.stored,
                        reason: reason))
        guard !locked else { return }
        for group in desired.groups.sorted() {
            addToGroup(group, desired: desired, category: .joiner, reason: reason, work: &work)
        }
        if let flag = config.policy.enrollmentGroup {
            flagEnrollment(flag, desired: desired, category: .joiner, state: nil, work: &work)
        }
    }

    /// Someone hired ahead of today: nothing, or a disabled account within the window.
    func planPreHire(_ person: Person, decision: LifecycleDecision, account: ObservedAccount?,
                     work: inout PlanningState) {
        guard let account else {
            guard work.isWithinPreHireWindow(person, today: decision.localDate) else { return }
            planJoiner(person, decision: decision, work: &work, locked: true)
            return
        }
        // Created ahead of the start but not locked: a run stopped between the add and
        // the lock that follows it. Lock it now.
        guard account.state?.disabledBy == .prehire, account.lock == .none else { return }
        let reason = Reason(rule: "pre-hire", text: "created ahead of the start date: stays disabled until then",
                            fields: decision.evidence)
        work.add(Change(kind: .disable, category: .joiner, employeeID: person.employeeID, login: account.login,
                        dn: account.dn.string, state: account.state?.stored, reason: reason))
    }

    /// A new account's facts: created today, enrollment due, or disabled until the start.
    private func joinerState(on date: LocalDate, locked: Bool) -> AccountState {
        var state = AccountState()
        state.createdOn = date
        state.enrollmentPending = !locked && config.policy.enrollmentGroup != nil
        if locked {
            state.disabledBy = .prehire
            state.disabledOn = date
        }
        return state
    }

    private func joinerReason(_ person: Person, rules: [String], locked: Bool) -> Reason {
        let rule = rules.isEmpty ? "joiner" : "joiner: " + rules.joined(separator: ", ")
        let hired = person.hireDate.map { "\($0)" } ?? "?"
        let text = locked ? "hired on \(hired): created disabled ahead of the start"
            : "in the feed and active, no account yet"
        return Reason(rule: rule, text: text, fields: joinerEvidence(person))
    }

    private func joinerEvidence(_ person: Person) -> [FieldEvidence] {
        var fields = [FieldEvidence(field: "status", value: person.status.rawValue),
                      FieldEvidence(field: "job_code", value: person.jobCode),
                      FieldEvidence(field: "department", value: person.department)]
        if let hire = person.hireDate { fields.append(FieldEvidence(field: "hire_date", value: "\(hire)")) }
        return fields
    }

    private func creationAttributes(_ desired: DesiredAccount) -> [AttributeEdit] {
        var classes = config.directory.objectClasses
        if let stateClass = config.directory.stateObjectClass { classes.append(stateClass) }
        var edits = [AttributeEdit(name: "objectClass", before: [], after: classes)]
        for (name, _) in config.mapping.attributes {
            let values = desired.attributes[name.lowercased()] ?? []
            if !values.isEmpty { edits.append(AttributeEdit(name: name, before: [], after: values)) }
        }
        let login = config.mapping.loginAttribute
        if !config.mapping.attributes.contains(where: { $0.name.lowercased() == login.lowercased() }) {
            edits.append(AttributeEdit(name: login, before: [], after: [desired.login]))
        }
        return edits
    }

    func addToGroup(_ group: String, desired: DesiredAccount, category: ChangeCategory, reason: Reason,
                    work: inout PlanningState) {
        let groupDN = work.groupDN(group)
        work.noteGroupNeeded(groupDN)
        let rule = config.roles.rules.first { $0.groups.contains(group) && desired.rules.contains($0.name) }
        let privileged = config.roles.privilegedGroups.contains(group) ? " (privileged)" : ""
        let why = (rule == nil ? exceptionReason(group, desired: desired) : nil)
            ?? Reason(rule: rule?.name ?? reason.rule, text: "the role rule grants \(group)\(privileged)",
                      fields: ruleEvidence(rule.map { [$0] } ?? [], person: desired.person))
        work.add(Change(kind: .addToGroup, category: category, employeeID: desired.person.employeeID,
                        login: desired.login, dn: desired.dn.string, target: groupDN.string, reason: why))
    }

    func flagEnrollment(_ group: String, desired: DesiredAccount, category: ChangeCategory, state: String?,
                        work: inout PlanningState) {
        let groupDN = work.groupDN(group)
        work.noteGroupNeeded(groupDN)
        let text = "new or returning account: MFA enrollment is due (level \(desired.mfa.rawValue))"
        work.add(Change(kind: .flagMFAEnrollment, category: category, employeeID: desired.person.employeeID,
                        login: desired.login, dn: desired.dn.string, target: groupDN.string, state: state,
                        reason: Reason(rule: "mfa-enrollment", text: text)))
    }
}

import Foundation

extension Planner {
    /// An existing account of an active person: re-enable a rehire, update attributes,
    /// move between containers, and add or remove managed groups.
    func planExisting(_ person: Person, decision: LifecycleDecision, account: ObservedAccount,
                      work: inout PlanningState) {
        let old = account.state ?? AccountState()
        var state = old
        var category = ChangeCategory.mover

        // 1. An account idsync disabled comes back; one somebody else disabled stays as it is.
        if account.lock == .administrative, old.disabledBy == nil {
            work.finding(.notReEnabled, person.employeeID, account.dn.string,
                         "active in HR but disabled outside idsync; idsync does not re-enable it")
            return
        }
        // The state may say disabled while the lock is gone (removed by hand): the state
        // still moves on, only the unlock is not needed.
        let needsEnable = account.lock == .administrative
        if let why = old.disabledBy {
            category = why == .prehire || why == .leaveOfAbsence ? .joiner : .rehire
            if why == .leaveOfAbsence { category = .mover }
            state.disabledBy = nil
            state.disabledOn = nil
            state.revocationPending = false
            if category != .mover { state.enrollmentPending = config.policy.enrollmentGroup != nil }
        }

        let desired = mapper.desired(person, decision: decision, login: account.login,
                                     managerDN: work.managerDN(of: person))
        let edits = attributeEdits(desired, account: account)
        let (adds, removes) = roleGroupChanges(desired, account: account, work: work)
        // Access grows only for someone who has enrolled MFA: while enrollment is pending
        // (a joiner whose run stopped before its group adds), the enrollment covers it.
        let grows = !adds.isEmpty && category == .mover && !old.enrollmentPending
        if grows, config.policy.reverificationGroup != nil { state.reverificationPending = true }

        // 2. One change carries the new state: the enable, else the attribute update.
        let stateChanged = state != old || account.state == nil
        if needsEnable {
            let text = category == .rehire ? "rehired: active in HR again after idsync disabled the account"
                : "start date reached or back from leave: the account idsync disabled is enabled"
            work.add(Change(kind: .enable, category: category, employeeID: person.employeeID, login: account.login,
                            dn: account.dn.string, attributes: stateClassEdit(account),
                            state: state.stored, reason: Reason(rule: "lifecycle", text: text,
                                                                fields: [FieldEvidence(field: "status", value: person.status.rawValue)])))
        }
        if !edits.isEmpty || (stateChanged && !needsEnable) {
            let fields = edits.map { FieldEvidence(field: $0.name, value: $0.after.first ?? "") }
            work.add(Change(kind: .setAttributes, category: category, employeeID: person.employeeID,
                            login: account.login, dn: account.dn.string,
                            attributes: edits + (needsEnable ? [] : stateClassEdit(account)),
                            state: needsEnable ? nil : (stateChanged ? state.stored : nil),
                            reason: Reason(rule: "attribute-templates",
                                           text: edits.isEmpty ? "idsync records its state on the account"
                                               : "HR fields changed", fields: fields)))
        }

        // 3. A new container: modrdn with a new superior; memberships follow through refint.
        var dn = account.dn
        if desired.dn.parent != account.dn.parent {
            work.add(Change(kind: .move, category: category, employeeID: person.employeeID, login: account.login,
                            dn: account.dn.string, target: desired.dn.string,
                            reason: Reason(rule: "placement", text: "placement rules put this person in \(desired.dn.parent?.string ?? "")")))
            dn = desired.dn
        }
        let moved = DesiredAccount(person: desired.person, decision: desired.decision, login: desired.login,
                                   dn: dn, attributes: desired.attributes, groups: desired.groups,
                                   mfa: desired.mfa, rules: desired.rules)

        // 4. Groups, then the MFA flags that follow from the state. A flag whose state was
        // written by a run that stopped before the group add is completed here.
        if let flag = config.policy.reverificationGroup, state.reverificationPending,
           grows || !work.isMember(account.dn, of: config.groupDN(flag)) {
            let privileged = adds.filter { config.roles.privilegedGroups.contains($0) }
            let text = privileged.isEmpty ? "access grows: re-verify MFA at the next sign-in"
                : "privileged access grows (\(privileged.sorted().joined(separator: ", "))): re-verify MFA; sessions are to be revoked"
            work.noteGroupNeeded(config.groupDN(flag))
            work.add(Change(kind: .requireMFAReverification, category: category, employeeID: person.employeeID,
                            login: account.login, dn: dn.string, target: config.groupDN(flag).string,
                            reason: Reason(rule: "mfa-reverification", text: text,
                                           fields: adds.sorted().map { FieldEvidence(field: "group", value: $0) })))
        }
        for group in adds.sorted() {
            addToGroup(group, desired: moved, category: category,
                       reason: Reason(rule: "role-rules", text: "", fields: []), work: &work)
        }
        for group in removes.sorted() {
            removeFromGroup(work.config.groupDN(group), employeeID: person.employeeID, login: account.login,
                            dn: dn, category: category,
                            reason: Reason(rule: "role-rules", text: "no role rule grants \(group) any longer"),
                            work: &work)
        }
        if let flag = config.policy.enrollmentGroup, state.enrollmentPending,
           !work.isMember(account.dn, of: config.groupDN(flag)) {
            flagEnrollment(flag, desired: moved, category: category, state: nil, work: &work)
        }
    }

    /// The objectClass value a state write needs on an entry that lacks it.
    func stateClassEdit(_ account: ObservedAccount) -> [AttributeEdit] {
        guard let stateClass = config.directory.stateObjectClass else { return [] }
        let classes = account.attributes["objectclass"] ?? []
        guard !classes.contains(where: { $0.lowercased() == stateClass.lowercased() }) else { return [] }
        return [AttributeEdit(name: "objectClass", before: classes, after: classes + [stateClass])]
    }

    /// Attributes whose rendered value differs from the directory's, in mapping order.
    func attributeEdits(_ desired: DesiredAccount, account: ObservedAccount) -> [AttributeEdit] {
        var edits: [AttributeEdit] = []
        for (name, _) in config.mapping.attributes {
            let key = name.lowercased()
            guard key != config.mapping.loginAttribute.lowercased() else { continue }
            let want = desired.attributes[key] ?? []
            let have = account.attributes[key] ?? []
            if !Planner.sameValues(want, have, dnValued: key == "manager") {
                edits.append(AttributeEdit(name: name, before: have, after: want))
            }
        }
        return edits
    }

    static func sameValues(_ a: [String], _ b: [String], dnValued: Bool) -> Bool {
        guard dnValued else { return Set(a) == Set(b) }
        let normalize = { (values: [String]) in
            Set(values.map { (try? DistinguishedName(parsing: $0))?.normalized ?? $0 })
        }
        return normalize(a) == normalize(b)
    }

    /// Role groups to add and remove; groups no rule names are never in either set.
    func roleGroupChanges(_ desired: DesiredAccount, account: ObservedAccount,
                          work: PlanningState) -> (adds: Set<String>, removes: Set<String>) {
        let managed = config.roles.managedGroups
        let current = Set(managed.filter { work.isMember(account.dn, of: config.groupDN($0)) })
        return (desired.groups.subtracting(current), current.subtracting(desired.groups))
    }

    func removeFromGroup(_ group: DistinguishedName, employeeID: String?, login: String?, dn: DistinguishedName,
                         category: ChangeCategory, reason: Reason, work: inout PlanningState) {
        work.add(Change(kind: .removeFromGroup, category: category, employeeID: employeeID, login: login,
                        dn: dn.string, target: group.string, reason: reason))
    }
}

import Foundation

/// What the planner knows about one existing account while it plans it.
struct ExistingAccount {
    let person: Person
    let account: ObservedAccount
    let desired: DesiredAccount
    let old: AccountState
    var state: AccountState
    var category = ChangeCategory.mover

    /// The ppolicy lock idsync wrote is still there and must be lifted.
    var needsEnable: Bool { account.lock == .administrative }

    func change(_ kind: ChangeKind, dn: DistinguishedName? = nil, target: String? = nil,
                attributes: [AttributeEdit] = [], state: String? = nil, reason: Reason) -> Change {
        Change(kind: kind, category: category, employeeID: person.employeeID, login: account.login,
               dn: (dn ?? account.dn).string, target: target, attributes: attributes, state: state,
               reason: reason)
    }
}

extension Planner {
    /// An existing account of an active person: re-enable a rehire, update attributes,
    /// move between containers, and add or remove managed groups.
    func planExisting(_ person: Person, decision: LifecycleDecision, account: ObservedAccount,
                      work: inout PlanningState) {
        if account.state?.disabledBy == .enrollmentLapsed {
            planLapsedEnrollment(person, decision: decision, account: account, work: &work)
            return
        }
        // 1. An account idsync disabled comes back; one somebody else disabled stays as it is.
        if account.lock == .administrative, account.state?.disabledBy == nil {
            work.finding(.notReEnabled, person.employeeID, account.dn.string,
                         "active in HR but disabled outside idsync; idsync does not re-enable it")
            return
        }
        work.noteHeldPlacement(person, mapper: mapper, account: account)
        var desired = mapper.desired(person, decision: decision, login: account.login,
                                     managerDN: work.managerDN(of: person),
                                     dn: work.plannedDN(person.key))
        if work.managerIsQuarantined(person) {
            keepManager(&desired, of: account)
        }
        let old = account.state ?? AccountState()
        var existing = ExistingAccount(person: person, account: account, desired: desired, old: old, state: old)
        returnFromDisable(&existing)

        // 2. Attributes, and the state with them; then a move; then groups and MFA flags.
        let (adds, removes) = roleGroupChanges(desired, account: account, work: work)
        // On the day idsync created the account its groups are a joiner's, not growth: that
        // is how an account whose creation was interrupted before its group adds looks. A
        // grant the plan cannot make (its DN held by another kind of entry) is no growth
        // either: it would demand re-verification anew every night.
        let createdToday = existing.old.createdOn == decision.localDate
        // A closure, not the method as a value: `work.canGrant` passed as a value copied the
        // whole planning state for every person (+0.7 s on a steady plan of 100,000).
        let granted = adds.filter { work.canGrant($0) }
        let grows = !granted.isEmpty && existing.category == .mover && !createdToday
        if grows, config.policy.reverificationGroup != nil {
            // Each growth asks anew: a sign-in before this run does not vouch for the new access.
            existing.state.reverificationPending = true
            existing.state.reverificationDemanded = instant
        }
        planEnableAndAttributes(existing, work: &work)
        let dn = planMove(existing, work: &work)
        planReverification(existing, dn: dn, adds: granted, grows: grows, work: &work)
        planGroups(existing, dn: dn, adds: adds, removes: removes, work: &work)
    }

    /// The manager's row is quarantined: their account still exists, only the row is
    /// unreadable this run, so the report's manager attributes stay as the account has them
    /// (`reportQuarantinedManagers` says so).
    private func keepManager(_ desired: inout DesiredAccount, of account: ObservedAccount) {
        for key in mapper.managerKeys {
            desired.attributes[key] = Array(account.attributes.valuesInPlace(key) ?? [])
        }
    }

    /// Clears the disable facts of an account idsync disabled. The state may say disabled
    /// while the lock is gone (removed by hand): the state still moves on, only the unlock
    /// is not needed.
    private func returnFromDisable(_ existing: inout ExistingAccount) {
        guard let why = existing.old.disabledBy else { return }
        switch why {
        case .prehire: existing.category = .joiner
        case .leaveOfAbsence: existing.category = .mover
        default: existing.category = .rehire
        }
        existing.state.disabledBy = nil
        existing.state.disabledOn = nil
        existing.state.revocationPending = false
        // The credentials idsync took stay gone: a rehire sets a new password.
        existing.state.credentialsWiped = false
        existing.state.revocationComplete = false
        existing.state.clearTermination()
        if existing.category != .mover {
            existing.state.enrollmentPending = config.policy.enrollmentGroup != nil
        }
    }

    /// One change carries the new state: the enable where there is one, else the update.
    private func planEnableAndAttributes(_ existing: ExistingAccount, work: inout PlanningState) {
        let edits = attributeEdits(existing.desired, account: existing.account)
        let stateChanged = existing.state != existing.old || existing.account.state == nil
        let stateClass = stateClassEdit(existing.account)
        if existing.needsEnable {
            let text = existing.category == .rehire
                ? "rehired: active in HR again after idsync disabled the account"
                : "start date reached or back from leave: the account idsync disabled is enabled"
            let status = FieldEvidence(field: "status", value: existing.person.status.rawValue)
            work.add(existing.change(.enable, attributes: stateClass, state: existing.state.stored,
                                     reason: Reason(rule: "lifecycle", text: text, fields: [status])))
        }
        let carriesState = stateChanged && !existing.needsEnable
        guard !edits.isEmpty || carriesState else { return }
        let fields = edits.map { FieldEvidence(field: $0.name, value: $0.after.joined(separator: "|"),
                                               before: $0.before.joined(separator: "|")) }
        // idsync keeps no copy of the HR record, so it cannot tell an HR change from a hand
        // edit in the directory: the reason says what it knows, and the fields show both values.
        let text = edits.isEmpty ? "idsync records its state on the account"
            : "the directory's values differ from what the attribute templates make of the HR "
                + "record (HR changed them, or the entry was edited outside idsync)"
        work.add(existing.change(.setAttributes, attributes: edits + (carriesState ? stateClass : []),
                                 state: carriesState ? existing.state.stored : nil,
                                 reason: Reason(rule: "attribute-templates", text: text, fields: fields)))
    }

    /// A new container: modrdn with a new superior; memberships follow through refint.
    /// Returns the DN the account has once the plan is applied.
    private func planMove(_ existing: ExistingAccount, work: inout PlanningState) -> DistinguishedName {
        let target = existing.desired.dn
        guard target != existing.account.dn else { return existing.account.dn }
        let text = "placement rules put this person in \(target.parent?.string ?? "")"
        work.add(existing.change(.move, target: target.string,
                                 reason: Reason(rule: "placement", text: text)))
        return target
    }

    /// Access that grows demands re-verification. A flag whose state was written by a run
    /// that stopped before the group add is completed here.
    private func planReverification(_ existing: ExistingAccount, dn: DistinguishedName, adds: Set<String>,
                                    grows: Bool, work: inout PlanningState) {
        guard let flag = config.policy.reverificationGroup, existing.state.reverificationPending else { return }
        let group = work.groupDN(flag)
        guard !work.isMember(existing.account.dn, of: group) else { return }
        let privileged = adds.filter { config.roles.privilegedGroups.contains($0) }.sorted()
        let text = privileged.isEmpty ? "access grows: re-verify MFA at the next sign-in"
            : "privileged access grows (\(privileged.joined(separator: ", "))): re-verify MFA; sessions are to be revoked"
        work.noteGroupNeeded(group)
        work.add(existing.change(.requireMFAReverification, dn: dn, target: group.string,
                                 reason: Reason(rule: "mfa-reverification", text: text,
                                                fields: adds.sorted().map { FieldEvidence(field: "group", value: $0) })))
    }

    private func planGroups(_ existing: ExistingAccount, dn: DistinguishedName, adds: Set<String>,
                            removes: Set<String>, work: inout PlanningState) {
        let desired = existing.desired
        let moved = DesiredAccount(person: desired.person, decision: desired.decision, login: desired.login,
                                   dn: dn, attributes: desired.attributes, groups: desired.groups,
                                   mfa: desired.mfa, rules: desired.rules, exceptions: desired.exceptions)
        for group in adds.sorted() {
            addToGroup(group, desired: moved, category: existing.category,
                       reason: Reason(rule: "role-rules", text: ""), work: &work)
        }
        for group in removes.sorted() {
            let granting = config.roles.rules.filter { $0.groups.contains(group) }
            let why = endedExceptionReason(group, desired: desired)
                ?? Reason(rule: granting.map(\.name).joined(separator: ", "),
                          text: "no role rule grants \(group) any longer",
                          fields: ruleEvidence(granting, person: existing.person))
            work.add(existing.change(.removeFromGroup, dn: dn, target: work.groupDN(group).string, reason: why))
        }
        if let flag = config.policy.enrollmentGroup, existing.state.enrollmentPending,
           !work.isMember(existing.account.dn, of: work.groupDN(flag)) {
            flagEnrollment(flag, desired: moved, category: existing.category, state: nil, work: &work)
        }
        clearFlags(existing, dn: dn, work: &work)
    }

    /// The flag groups mirror the facts on the account: once the MFA side clears a fact
    /// (enrolled, re-verified), idsync takes the person out of that group.
    private func clearFlags(_ existing: ExistingAccount, dn: DistinguishedName, work: inout PlanningState) {
        let flags: [(group: String?, pending: Bool, what: String)] = [
            (config.policy.enrollmentGroup, existing.state.enrollmentPending, "MFA enrollment"),
            (config.policy.reverificationGroup, existing.state.reverificationPending, "MFA re-verification"),
        ]
        for flag in flags {
            guard let name = flag.group, !flag.pending, work.isMember(existing.account.dn, of: work.groupDN(name)) else {
                continue
            }
            work.add(existing.change(.removeFromGroup, dn: dn, target: work.groupDN(name).string,
                                     reason: Reason(rule: "mfa-flags", text: "\(flag.what) is no longer pending")))
        }
    }

    /// The person's values of the fields these rules match on: why a rule does or does not apply.
    func ruleEvidence(_ rules: [RoleRule], person: Person) -> [FieldEvidence] {
        let fields = Set(rules.flatMap(\.match.keys)).sorted { $0.rawValue < $1.rawValue }
        return fields.map { FieldEvidence(field: $0.rawValue, value: AccountMapper.value(of: $0, in: person)) }
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
        let names = zip(config.mapping.attributes, mapper.attributeKeys)
        for ((name, _), key) in names where key != mapper.loginKey {
            let want = desired.attributes[key] ?? []
            // Compared where the values lie: nearly every attribute is unchanged.
            let stored = account.attributes.valuesInPlace(key) ?? []
            if want.elementsEqual(stored) { continue }
            let have = Array(stored)
            if !Planner.sameValues(want, have, dnValued: key == "manager") {
                edits.append(AttributeEdit(name: name, before: have, after: want))
            }
        }
        return edits
    }

    static func sameValues(_ a: [String], _ b: [String], dnValued: Bool) -> Bool {
        // Nearly every attribute holds one value or none, and the value is the same.
        if a == b { return true }
        guard dnValued else { return a.count == b.count && Set(a) == Set(b) }
        let normalize = { (values: [String]) in
            Set(values.map { (try? DistinguishedName.normalize($0)) ?? $0 })
        }
        return normalize(a) == normalize(b)
    }

    /// Role groups to add and remove; groups no rule names are never in either set.
    func roleGroupChanges(_ desired: DesiredAccount, account: ObservedAccount,
                          work: PlanningState) -> (adds: Set<String>, removes: Set<String>) {
        let current = Set(work.roleGroups.filter { work.isMember(account.dn, of: $0.dn) }.map(\.name))
        // A held exception keeps a membership that is there and adds none.
        let kept = desired.groups.union(desired.exceptions.heldGroups)
        return (desired.groups.subtracting(current), current.subtracting(kept))
    }

    func removeFromGroup(_ group: DistinguishedName, employeeID: String?, login: String?, dn: DistinguishedName,
                         category: ChangeCategory, reason: Reason, work: inout PlanningState) {
        work.add(Change(kind: .removeFromGroup, category: category, employeeID: employeeID, login: login,
                        dn: dn.string, target: group.string, reason: reason))
    }
}

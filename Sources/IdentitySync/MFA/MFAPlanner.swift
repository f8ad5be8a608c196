import Foundation

/// Folds what the MFA connectors said into a draft plan: revocations for leavers, holds on
/// privileged grants, cleared enrollment flags, users for joiners, and the findings.
///
/// A pure function like the planner: the connectors were asked before, by
/// `MFAObservations.observe`, about the subjects `subjects(of:)` names.
public struct MFAPlanner {
    let config: Config
    let instant: Date

    public init(config: Config, instant: Date) {
        self.config = config
        self.instant = instant
    }

    /// The people the connectors must be asked about before `amend` can run.
    public func subjects(of plan: Plan, feed: FeedSnapshot, directory: ObservedDirectory) -> [MFASubject] {
        MFAAgenda(plan: plan, feed: feed, directory: directory, config: config).subjects
    }

    /// The subjects, and the pending re-verifications whose logs must be read, from one agenda.
    public func questions(of plan: Plan, feed: FeedSnapshot, directory: ObservedDirectory)
        -> (subjects: [MFASubject], reverifications: [MFAReverification]) {
        let agenda = MFAAgenda(plan: plan, feed: feed, directory: directory, config: config)
        return (agenda.subjects, reverificationQueries(agenda))
    }

    public func amend(_ draft: Plan, feed: FeedSnapshot, directory: ObservedDirectory,
                      observations: MFAObservations) -> Plan {
        guard !observations.connectors.isEmpty else { return draft }
        let agenda = MFAAgenda(plan: draft, feed: feed, directory: directory, config: config)
        var plan = draft
        var added: [Change] = []
        var dropped: Set<Int> = []

        for departure in agenda.departures {
            added += revocations(departure, observations)
        }
        added += reconciliations(agenda, draft: draft, directory: directory, observations: observations,
                                 plan: &plan)
        planGrants(agenda, observations, plan: &plan, added: &added, dropped: &dropped)
        for enrollment in agenda.enrollments {
            planEnrollment(enrollment, observations, directory: directory, plan: &plan, added: &added,
                           dropped: &dropped)
        }
        for joiner in agenda.joiners {
            added += userCreations(joiner.subject, creation: plan.changes[joiner.changeIndex], observations)
        }
        planMembers(agenda, observations, plan: &plan, added: &added)
        added += failCounterResets(draft, directory: directory, observations: observations)
        planReverifications(agenda, observations, directory: directory, plan: &plan, added: &added,
                            dropped: &dropped)

        plan.changes = plan.changes.enumerated().filter { !dropped.contains($0.offset) }.map(\.element) + added
        MFAPlanner.recount(&plan.summary, changes: plan.changes)
        return plan
    }

    // MARK: Leavers

    /// Every connector: revoke (or delete) what is left, end the sessions, then record the
    /// revocation complete, a write the executor makes only when all of these succeeded.
    func revocations(_ departure: MFAAgenda.Departure, _ observations: MFAObservations) -> [Change] {
        var changes: [Change] = []
        for connector in observations.connectors {
            let (kind, verb) = MFAPlanner.leaverChange(connector.leaverPolicy)
            // Deleted or unassigned, even a revoked token goes: none is left on the user.
            let removes = connector.leaverPolicy != .revoke
            switch observations.lookup(connector.name, departure.subject) {
            case .failure(let failure):
                changes.append(mfaChange(kind, departure.subject, departure.category, connector.name,
                                         before: ["unknown: \(failure.message)"], after: [],
                                         rule: "mfa-revocation",
                                         text: "left: the authenticators could not be listed (\(failure.message)); "
                                             + "applying lists them again and fails if it still cannot"))
            case .success(let user):
                let left = user.authenticators.filter { removes || !$0.revoked }
                guard !left.isEmpty else { break }
                let after = removes ? [] : left.map {
                    Authenticator(id: $0.id, type: $0.type, kind: $0.kind, usable: false, revoked: true).label
                }
                changes.append(mfaChange(kind, departure.subject, departure.category, connector.name,
                                         before: left.map(\.label), after: after, rule: "mfa-revocation",
                                         text: "left: every authenticator is \(verb)"))
            }
            if connector.revokesSessions {
                changes.append(mfaChange(.revokeSessions, departure.subject, departure.category, connector.name,
                                         before: [], after: [], rule: "mfa-revocation",
                                         text: "left: every sign-in session ends"))
            }
        }
        var state = departure.state
        state.revocationComplete = true
        let text = changes.isEmpty ? "no connector holds an authenticator of this leaver"
            : "recorded once the changes above all succeed"
        changes.append(Change(kind: .recordRevocation, category: departure.category,
                              employeeID: departure.subject.employeeID, login: departure.subject.login,
                              dn: departure.subject.dn, state: state.stored,
                              reason: Reason(rule: "mfa-revocation", text: text)))
        return changes
    }

    // MARK: Privileged grants

    private func planGrants(_ agenda: MFAAgenda, _ observations: MFAObservations, plan: inout Plan,
                            added: inout [Change], dropped: inout Set<Int>) {
        var sessionsEnded: Set<MFASubject> = []
        for grant in agenda.grants {
            let change = plan.changes[grant.changeIndex]
            let (compliant, registered) = compliance(grant.subject, observations)
            let removing = config.mfa.memberRemoval
                .map { $0.applies(on: localDate(of: grant.person)) } ?? false
            if compliant || (config.mfa.privilegedGrants == .grant && !removing) {
                if !compliant {
                    plan.findings.append(finding(.nonCompliant, grant.subject,
                                                 "granted \(grant.group) without a phishing-resistant factor "
                                                     + "(policy privileged_grants: grant); \(registered)"))
                }
                guard sessionsEnded.insert(grant.subject).inserted else { continue }
                for connector in observations.connectors where connector.revokesSessions {
                    added.append(mfaChange(.revokeSessions, grant.subject, change.category, connector.name,
                                           before: [], after: [], rule: "mfa-privileged",
                                           text: "privileged grant (\(grant.group)): sessions end at once"))
                }
                continue
            }
            dropped.insert(grant.changeIndex)
            // Granted now, the member would be removed again by the policy the next run.
            let policy = config.mfa.memberRemoval?.name ?? ""
            let why = config.mfa.privilegedGrants == .grant
                ? "; privileged_grants: grant gives way to \(policy)" : ""
            let text = "the grant of \(grant.group) waits for a phishing-resistant factor "
                + "(FIDO2/WebAuthn, passkey or certificate); \(registered); "
                + "a later run grants it once one is registered" + why
            plan.findings.append(finding(.held, grant.subject, text))
        }
    }

    /// Whether any connector shows a usable phishing-resistant factor, and what each shows.
    func compliance(_ subject: MFASubject, _ observations: MFAObservations) -> (Bool, String) {
        var compliant = false
        var parts: [String] = []
        for connector in observations.connectors {
            switch observations.lookup(connector.name, subject) {
            case .failure(let failure):
                parts.append("\(connector.name) could not be asked (\(failure.message))")
            case .success(let user):
                compliant = compliant || user.hasPhishingResistantFactor
                let usable = user.authenticators.filter(\.usable).map(\.label)
                parts.append("\(connector.name): " + (usable.isEmpty ? "none" : usable.joined(separator: ", ")))
            }
        }
        return (compliant, "registered: " + parts.joined(separator: "; "))
    }

    // MARK: Enrollment

    /// An acceptable factor clears the enrollment fact (and so the flag group); a window that
    /// closed without one is reported.
    private func planEnrollment(_ enrollment: MFAAgenda.Enrollment, _ observations: MFAObservations,
                                directory: ObservedDirectory, plan: inout Plan, added: inout [Change],
                                dropped: inout Set<Int>) {
        let strict = enrollment.level == .phishingResistant
        let enrolledIn = observations.connectors.compactMap { connector -> String? in
            guard case .success(let user) = observations.lookup(connector.name, enrollment.subject) else { return nil }
            let factors = user.authenticators.filter { $0.usable && (!strict || $0.kind.isPhishingResistant) }
            return factors.isEmpty ? nil : "\(connector.name): " + factors.map(\.label).joined(separator: ", ")
        }
        guard !enrolledIn.isEmpty else {
            reportLapsed(enrollment, plan: &plan)
            return
        }
        var state = enrollment.state
        state.enrollmentPending = false
        let text = "enrolled (\(enrolledIn.joined(separator: "; "))): the enrollment flag is cleared"
        let key = Person.key(enrollment.subject.employeeID)
        let carrier = plan.changes.indices.last { index in
            plan.changes[index].state != nil && plan.changes[index].employeeID.map(Person.key) == key
        }
        if let index = carrier {
            plan.changes[index] = plan.changes[index].with(state: state.stored)
        } else {
            added.append(Change(kind: .setAttributes, category: .mover, employeeID: enrollment.subject.employeeID,
                                login: enrollment.subject.login, dn: enrollment.account.dn.string,
                                state: state.stored, reason: Reason(rule: "mfa-enrollment", text: text)))
        }
        for (index, change) in plan.changes.enumerated()
        where change.kind == .flagMFAEnrollment && change.employeeID.map(Person.key) == key {
            dropped.insert(index)
        }
        guard let flag = config.policy.enrollmentGroup else { return }
        let group = config.groupDN(flag)
        guard directory.groups[group]?.members.contains(enrollment.account.dn.normalized) == true else { return }
        added.append(Change(kind: .removeFromGroup, category: .mover, employeeID: enrollment.subject.employeeID,
                            login: enrollment.subject.login, dn: enrollment.account.dn.string,
                            target: group.string, reason: Reason(rule: "mfa-enrollment", text: text)))
    }

    private func reportLapsed(_ enrollment: MFAAgenda.Enrollment, plan: inout Plan) {
        guard let days = config.mfa.enrollmentDays, let created = enrollment.state.createdOn else { return }
        let today = LocalDate(instant, in: config.timeZone)
        let closes = created.adding(days: days)
        guard today > closes else { return }
        let locks = config.mfa.lapsedEnrollment == .lock
        plan.findings.append(finding(.enrollmentOverdue, enrollment.subject,
                                     "created on \(created), the \(days)-day enrollment window closed on "
                                         + "\(closes) and no connector shows an acceptable factor"
                                         + (locks ? "; the account is locked until IT re-opens enrollment" : "")))
        guard locks else { return }
        var state = enrollment.state
        state.disabledBy = .enrollmentLapsed
        state.disabledOn = today
        // Any change of the draft that writes a state writes this one too: order in the pipeline
        // then does not matter.
        let key = Person.key(enrollment.subject.employeeID)
        for index in plan.changes.indices where plan.changes[index].state != nil
            && plan.changes[index].employeeID.map(Person.key) == key {
            plan.changes[index] = plan.changes[index].with(state: state.stored)
        }
        plan.changes.append(Change(kind: .disable, category: .joiner, employeeID: enrollment.subject.employeeID,
                                   login: enrollment.subject.login, dn: enrollment.account.dn.string,
                                   state: state.stored,
                                   reason: Reason(rule: "mfa-enrollment",
                                                  text: "the enrollment window closed on \(closes) without a factor: "
                                                      + "locked by policy until IT re-opens enrollment")))
    }

    // MARK: Joiners

    private func userCreations(_ subject: MFASubject, creation: Change, _ observations: MFAObservations) -> [Change] {
        let names = creation.attributes.filter { ["givenname", "sn", "mail"].contains($0.name.lowercased()) }
        return observations.connectors.filter(\.ensuresUsers).map { connector in
            Change(kind: .ensureMFAUser, category: .joiner, employeeID: subject.employeeID, login: subject.login,
                   dn: subject.dn, target: connector.name, attributes: names,
                   reason: Reason(rule: "mfa-enrollment", text: "the joiner must exist in \(connector.name) to enroll"))
        }
    }

    // MARK: Helpers

    private func mfaChange(_ kind: ChangeKind, _ subject: MFASubject, _ category: ChangeCategory, _ connector: String,
                           before: [String], after: [String], rule: String, text: String) -> Change {
        let edits = before.isEmpty && after.isEmpty ? [] : [AttributeEdit(name: "authenticators", before: before,
                                                                             after: after)]
        return Change(kind: kind, category: category, employeeID: subject.employeeID, login: subject.login,
                      dn: subject.dn, target: connector, attributes: edits, reason: Reason(rule: rule, text: text))
    }

    func finding(_ kind: Finding.Kind, _ subject: MFASubject, _ text: String) -> Finding {
        Finding(kind: kind, employeeID: subject.employeeID, dn: subject.dn, text: text)
    }

    /// The change a leaver's authenticators get under the connector's policy, and its verb.
    static func leaverChange(_ policy: LeaverAuthenticatorPolicy) -> (ChangeKind, String) {
        switch policy {
        case .revoke: return (.revokeAuthenticators, "revoked")
        case .delete: return (.deleteAuthenticators, "deleted (policy)")
        case .unassign: return (.unassignAuthenticators, "unassigned (policy)")
        }
    }

    /// The counts that follow from the changes, after MFA changes were added or dropped.
    static func recount(_ summary: inout PlanSummary, changes: [Change]) {
        summary.count(changes)
    }
}

extension Change {
    /// The same change carrying another state.
    func with(state: String) -> Change {
        Change(kind: kind, category: category, employeeID: employeeID, login: login, dn: dn, target: target,
               attributes: attributes, state: state, reason: reason)
    }
}

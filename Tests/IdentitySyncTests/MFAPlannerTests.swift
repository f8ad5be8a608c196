import Foundation
import Testing

@testable import IdentitySync

/// An MFA system in memory: users by login, each with authenticators; asked subjects and
/// performed actions are recorded, and a test can make it fail.
final class FakeMFA: MFAConnector {
    let traits: MFAConnectorTraits
    var users: [String: [Authenticator]] = [:]
    var failure: String?
    /// What its log says of each login since the date asked; nil: it keeps no log.
    var verifications: [String: MFAVerification]?
    private(set) var asked: [String] = []
    private(set) var askedSince: [String] = []
    private(set) var performed: [String] = []

    init(_ name: String = "fake", sessions: Bool = false, policy: LeaverAuthenticatorPolicy = .revoke) {
        traits = MFAConnectorTraits(name: name, revokesSessions: sessions, ensuresUsers: false, leaverPolicy: policy)
    }

    func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            asked.append(subject.login)
            if let failure {
                results[subject] = .failure(MFAFailure(connector: traits.name, message: failure))
            } else {
                let found = users[subject.login]
                results[subject] = .success(MFAUserState(exists: found != nil, authenticators: found ?? []))
            }
        }
        return results
    }

    func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        if let failure { throw MFAFailure(connector: traits.name, message: failure) }
        guard let verifications else { return .unknown("the fake keeps no log") }
        askedSince.append("\(subject.login) \(ISO8601DateFormatter().string(from: since))")
        return verifications[subject.login] ?? .notSince
    }

    func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        if let failure { throw MFAFailure(connector: traits.name, message: failure) }
        performed.append("\(action) \(subject.login)")
        guard case .revokeAuthenticators = action else { return nil }
        users[subject.login] = users[subject.login]?.map {
            Authenticator(id: $0.id, type: $0.type, kind: $0.kind, usable: false, revoked: true)
        }
        return users[subject.login]
    }
}

@Suite struct MFAPlannerTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia")
    let totp = Authenticator(id: "TOTP0001", type: "totp", kind: .totp, usable: true)
    let key = Authenticator(id: "WAN0001", type: "webauthn", kind: .webauthn, usable: true)

    var leaver: Person {
        var person = nurse
        person.status = .terminated
        person.terminationDate = Fixtures.date("2024-03-14")
        return person
    }

    func synced(_ person: Person, state: AccountState = AccountState(), extra: [String] = [])
        -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(person, login: "agarcia", state: state)
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups + extra { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    func plan(_ people: [Person], _ directory: ObservedDirectory, _ connectors: [MFAConnector],
              config: Config = Fixtures.config()) -> Plan {
        SyncRun(config: config, instant: Fixtures.runInstant, override: nil)
            .plan(feed: Fixtures.feed(people), directory: directory, mfa: connectors)
    }

    @Test func onlyFIDO2PasskeysAndCertificatesArePhishingResistant() {
        let strong: [AuthenticatorKind] = [.webauthn, .passkey, .certificate]
        let weak: [AuthenticatorKind] = [.totp, .hotp, .sms, .email, .push, .voice, .other]
        #expect(strong.allSatisfy { $0.isPhishingResistant })
        #expect(!weak.contains { $0.isPhishingResistant })
    }

    @Test func leaverGetsARevocationPerConnectorThenTheRecord() {
        let pi = FakeMFA("pi")
        pi.users["agarcia"] = [totp]
        let okta = FakeMFA("okta", sessions: true, policy: .delete)
        okta.users["agarcia"] = [key]

        let plan = plan([leaver], synced(nurse), [pi, okta])

        let kinds = plan.changes.filter { $0.kind.isMFAAction || $0.kind == .recordRevocation }
            .map { "\($0.kind.rawValue) \($0.target ?? "")" }
        #expect(kinds == ["revoke-authenticators pi", "delete-authenticators okta", "revoke-sessions okta",
                          "record-revocation-complete "])
        let revoke = only(.revokeAuthenticators, in: plan)
        #expect(revoke?.attributes.first?.before == ["TOTP0001 (totp)"])
        #expect(revoke?.attributes.first?.after == ["TOTP0001 (totp, revoked)"])
        #expect(only(.recordRevocation, in: plan)?.state?.hasSuffix(";revoke;revoked") == true)
    }

    @Test func connectorErrorIsAFailedChangeNeverNoAuthenticators() throws {
        let pi = FakeMFA("pi")
        pi.failure = "HTTP 503"
        let observed = synced(nurse)
        let plan = plan([leaver], observed, [pi])
        let revoke = try #require(only(.revokeAuthenticators, in: plan))
        #expect(revoke.attributes.first?.before == ["unknown: HTTP 503"])

        let audit = try AuditFile()
        let executor = Executor(connector: FakeDirectory(observed), audit: try audit.open(), observed: observed,
                                placeholder: Fixtures.placeholder, mfa: [pi])
        try executor.apply(plan)

        let outcomes = executor.outcomes
        #expect(outcomes.first { $0.change.kind == .revokeAuthenticators }?.failure?.message == "pi: HTTP 503")
        #expect(outcomes.first { $0.change.kind == .recordRevocation }?.skipped?.contains("next run") == true)
        #expect(outcomes.first { $0.change.kind == .disable }?.succeeded == true)
    }

    @Test func leaverRecordedCompleteIsNotAskedAgain() {
        let pi = FakeMFA("pi")
        var state = Fixtures.disabledState(.leaver)
        state.revocationPending = true
        state.revocationComplete = true
        var directory = synced(nurse, state: state)
        directory.accounts[0].lock = .administrative

        let plan = plan([leaver], directory, [pi])

        #expect(pi.asked.isEmpty)
        #expect(!plan.changes.contains { $0.kind.isMFAAction })
    }

    @Test func earlierLeaverWithRevocationPendingIsCheckedAndRecorded() {
        let pi = FakeMFA("pi")
        pi.users["agarcia"] = [Authenticator(id: "TOTP0001", type: "totp", kind: .totp, usable: false, revoked: true)]
        var state = Fixtures.disabledState(.leaver)
        state.revocationPending = true
        var directory = synced(nurse, state: state)
        directory.accounts[0].lock = .administrative

        let plan = plan([leaver], directory, [pi])

        #expect(pi.asked == ["agarcia"])
        #expect(summaries(plan).filter { !$0.hasPrefix("remove-from-group") }
            == ["record-revocation-complete uid=agarcia,\(peopleDN)"])
    }

    @Test func privilegedGrantIsHeldWithOnlyAnOTPAndGrantedWithAKey() {
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let okta = FakeMFA("okta", sessions: true)
        okta.users["agarcia"] = [totp]
        let superusers = "cn=ehr-superusers,\(groupsDN)"

        let held = plan([superuser], synced(nurse), [okta])
        #expect(!held.changes.contains { $0.kind == .addToGroup && $0.target == superusers })
        expectFinding(held, .held, containing: "ehr-superusers waits for a phishing-resistant factor")
        expectFinding(held, .held, containing: "TOTP0001 (totp)")
        #expect(!held.changes.contains { $0.kind == .revokeSessions })

        okta.users["agarcia"] = [totp, key]
        let granted = plan([superuser], synced(nurse), [okta])
        #expect(granted.changes.contains { $0.kind == .addToGroup && $0.target == superusers })
        #expect(only(.revokeSessions, in: granted)?.target == "okta")
    }

    @Test func grantPolicyGrantsAndReportsTheNonCompliantMember() {
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let okta = FakeMFA("okta")
        okta.users["agarcia"] = [totp]
        let config = Fixtures.config { $0.mfa.privilegedGrants = .grant }

        let plan = plan([superuser], synced(nurse), [okta], config: config)

        #expect(plan.changes.contains { $0.kind == .addToGroup && $0.target == "cn=ehr-superusers,\(groupsDN)" })
        expectFinding(plan, .nonCompliant, containing: "without a phishing-resistant factor")
    }

    @Test func existingPrivilegedMemberWithoutAKeyIsReported() {
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let pi = FakeMFA("pi")
        pi.users["agarcia"] = [totp]

        let plan = plan([superuser], synced(superuser), [pi])

        expectFinding(plan, .nonCompliant, containing: "member of ehr-superusers")
    }

    @Test func enrollmentFactClearsOnceAFactorIsRegistered() {
        var state = AccountState()
        state.enrollmentPending = true
        let pi = FakeMFA("pi")
        pi.users["agarcia"] = [totp]

        let plan = plan([nurse], synced(nurse, state: state, extra: ["mfa-enroll"]), [pi])

        #expect(only(.setAttributes, in: plan)?.state == "idsync:v1")
        #expect(plan.changes.contains { $0.kind == .removeFromGroup && $0.target == "cn=mfa-enroll,\(groupsDN)" })
    }

    @Test func lapsedEnrollmentWindowIsReported() {
        var state = AccountState()
        state.enrollmentPending = true
        state.createdOn = Fixtures.date("2024-02-01")
        let config = Fixtures.config { $0.mfa.enrollmentDays = 14 }

        let plan = plan([nurse], synced(nurse, state: state, extra: ["mfa-enroll"]), [FakeMFA("pi")],
                        config: config)

        expectFinding(plan, .enrollmentOverdue, containing: "window closed on 2024-02-15")
        #expect(!plan.changes.contains { $0.kind == .setAttributes })
    }
}

@Suite struct LapsedEnrollmentTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia")

    func directory(state: AccountState, lock: AccountLock = .none) -> ObservedDirectory {
        var (account, groups) = Fixtures.synced(nurse, login: "agarcia", state: state)
        account.lock = lock
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups + ["mfa-enroll"] { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    let config = Fixtures.config {
        $0.mfa.enrollmentDays = 14
        $0.mfa.lapsedEnrollment = .lock
    }

    func plan(_ directory: ObservedDirectory) -> Plan {
        SyncRun(config: config, instant: Fixtures.runInstant, override: nil)
            .plan(feed: Fixtures.feed([nurse]), directory: directory, mfa: [FakeMFA("pi")])
    }

    @Test func closedWindowLocksTheAccountByPolicy() {
        var state = AccountState()
        state.enrollmentPending = true
        state.createdOn = Fixtures.date("2024-02-01")

        let plan = plan(directory(state: state))

        let disable = only(.disable, in: plan)
        #expect(disable?.state?.contains("disabled=enrollment-lapsed;disabled-on=2024-03-15") == true)
        expectFinding(plan, .enrollmentOverdue, containing: "locked until IT re-opens enrollment")
    }

    @Test func lockedAccountStaysLockedUntilITUnlocksIt() {
        var state = AccountState()
        state.enrollmentPending = true
        state.createdOn = Fixtures.date("2024-02-01")
        state.disabledBy = .enrollmentLapsed
        state.disabledOn = Fixtures.date("2024-02-16")

        let locked = plan(directory(state: state, lock: .administrative))
        #expect(!locked.changes.contains { $0.kind == .enable })
        expectFinding(locked, .held, containing: "IT re-opens enrollment by unlocking")

        let unlocked = plan(directory(state: state))
        #expect(!unlocked.changes.contains { $0.kind == .disable })
        let reopened = unlocked.changes.first { $0.kind == .setAttributes && $0.state != nil }
        #expect(reopened?.state == "idsync:v1;created-on=2024-03-15;enroll")
    }
}

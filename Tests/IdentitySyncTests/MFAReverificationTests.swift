import Foundation
import Testing

@testable import IdentitySync

/// A mover's re-verification fact ends only on a connector's evidence of an MFA sign-in after
/// the demand; "cannot tell" and a failed read keep it.
@Suite struct MFAReverificationTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia")
    let demanded = Fixtures.instant("2024-03-10T09:30:00Z")
    let flag = "cn=mfa-reverify,ou=groups,dc=example,dc=org"

    func pending(at instant: Date?) -> AccountState {
        var state = AccountState()
        state.reverificationPending = true
        state.reverificationDemanded = instant
        return state
    }

    func directory(_ state: AccountState) -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(nurse, login: "agarcia", state: state)
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { group in
            (group, [Fixtures.placeholder])
        })
        for group in groups + ["mfa-reverify"] { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    func plan(_ state: AccountState, _ connectors: [MFAConnector]) -> Plan {
        SyncRun(config: Fixtures.config(), instant: Fixtures.runInstant, override: nil)
            .plan(feed: Fixtures.feed([nurse]), directory: directory(state), mfa: connectors)
    }

    @Test func demandKeepsItsInstantAndABareOneStillReadsAsPending() throws {
        let stored = pending(at: demanded).stored
        #expect(stored == "idsync:v1;reverify=2024-03-10T09:30:00Z")
        #expect(AccountState(stored: stored) == pending(at: demanded))
        let old = try #require(AccountState(stored: "idsync:v1;reverify;wiped"))
        #expect(old.reverificationPending)
        #expect(old.reverificationDemanded == nil)
        #expect(old.stored == "idsync:v1;reverify;wiped")
    }

    @Test func signInAfterTheDemandClearsTheFactAndTheFlagGroup() throws {
        let pi = FakeMFA("pi")
        pi.verifications = ["agarcia": .verified(evidence: "accepted with HOTP1 (hotp)")]
        let okta = FakeMFA("okta")
        let plan = plan(pending(at: demanded), [okta, pi])

        #expect(pi.askedSince == ["agarcia 2024-03-10T09:30:00Z"], "asked since the demand")
        let write = try #require(plan.changes.first { $0.kind == .setAttributes })
        #expect(write.state == "idsync:v1")
        #expect(write.reason.text.contains("re-verified (pi: accepted with HOTP1 (hotp))"))
        let removal = try #require(plan.changes.first { $0.kind == .removeFromGroup })
        #expect(removal.target == flag)
        #expect(plan.findings.isEmpty, "\(plan.findings)")
    }

    @Test func noSignInSinceKeepsTheFactAndSaysWhoWaits() throws {
        let pi = FakeMFA("pi")
        pi.verifications = [:]
        let okta = FakeMFA("okta")
        let plan = plan(pending(at: demanded), [pi, okta])

        #expect(plan.changes.isEmpty, "\(plan.changes)")
        let finding = try #require(plan.findings.first)
        #expect(finding.kind == .reverificationPending)
        #expect(finding.text.contains("demanded at 2024-03-10T09:30:00Z"))
        #expect(finding.text.contains("pi: no MFA sign-in since"))
        #expect(finding.text.contains("okta: cannot tell (the fake keeps no log)"),
                "never read as no")
    }

    @Test func aLogThatCannotBeReadIsNeverVerification() throws {
        let pi = FakeMFA("pi")
        pi.verifications = ["agarcia": .verified(evidence: "unreachable")]
        pi.failure = "HTTP 503"
        let plan = plan(pending(at: demanded), [pi])

        #expect(plan.changes.isEmpty, "\(plan.changes)")
        let finding = try #require(plan.findings.first)
        #expect(finding.kind == .mfaUnchecked, "as other MFA observation failures count")
        #expect(finding.text.contains("pi: the log could not be read (HTTP 503)"))
    }

    @Test func bareDemandFromAnOlderRunIsDatedNowAndNotYetAsked() throws {
        let pi = FakeMFA("pi")
        pi.verifications = ["agarcia": .verified(evidence: "a sign-in of unknown date")]
        let plan = plan(pending(at: nil), [pi])

        #expect(pi.askedSince.isEmpty)
        let write = try #require(plan.changes.first)
        #expect(plan.changes.count == 1)
        #expect(write.state == "idsync:v1;reverify=2024-03-15T17:00:00Z")
        #expect(write.reason.text.contains("stored without its time"))
    }

    @Test func onlyPeopleWithAPendingDemandAreAsked() {
        let pi = FakeMFA("pi")
        pi.verifications = [:]
        _ = plan(AccountState(), [pi])
        #expect(pi.askedSince.isEmpty)
        #expect(pi.asked.isEmpty)
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// A connector that lists in bulk: every user's authenticators by login, from memory. It
/// records whether it was asked per user, and a test can make the listing fail.
final class BulkFakeMFA: MFAConnector {
    let traits: MFAConnectorTraits
    var users: [String: [Authenticator]] = [:]
    var listingFailure: String?
    private(set) var asked: [String] = []

    init(_ name: String = "bulk") {
        traits = MFAConnectorTraits(name: name, revokesSessions: false, ensuresUsers: false, leaverPolicy: .revoke,
                                    listsInBulk: true, resetsFailCounters: true)
    }

    func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            asked.append(subject.login)
            results[subject] = .success(MFAUserState(exists: true, authenticators: users[subject.login] ?? []))
        }
        return results
    }

    func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? { [] }

    func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]] {
        if let listingFailure { throw MFAFailure(connector: traits.name, message: listingFailure) }
        var owners: [MFAOwner: [Authenticator]] = [:]
        for (login, found) in users { owners[.login(of: login)] = found.filter(\.usable) }
        return owners
    }
}

@Suite struct MFAReconciliationTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia")
    let clerk = Fixtures.person("000104", "John", "Smith")
    let totp = Authenticator(id: "TOTP0001", type: "totp", kind: .totp, usable: true)
    let revoked = Authenticator(id: "HOTP0001", type: "hotp", kind: .hotp, usable: false, revoked: true)

    var leaver: Person {
        var person = nurse
        person.status = .terminated
        person.terminationDate = Fixtures.date("2020-03-14")
        return person
    }

    /// The nurse left years ago, her revocation recorded complete; the clerk is active.
    func directory(nurseState: AccountState? = nil) -> ObservedDirectory {
        var state = Fixtures.disabledState(.leaver, on: "2020-03-14")
        state.revocationPending = true
        state.revocationComplete = true
        var (gone, _) = Fixtures.synced(nurse, login: "agarcia", state: nurseState ?? state)
        gone.lock = .administrative
        let (active, groups) = Fixtures.synced(clerk, login: "jsmith")
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups { members[group, default: []].append(active.dn) }
        return Fixtures.directory([gone, active], groups: members)
    }

    func plan(_ directory: ObservedDirectory, _ connector: MFAConnector, people: [Person]? = nil) -> Plan {
        SyncRun(config: Fixtures.config(), instant: Fixtures.runInstant, override: nil)
            .plan(feed: Fixtures.feed(people ?? [leaver, clerk]), directory: directory, mfa: [connector])
    }

    @Test func returnFromLeaveResetsFailCountersAndARehireDoesNot() {
        let bulk = BulkFakeMFA()
        let onLeave = Fixtures.disabledState(.leaveOfAbsence, on: "2024-03-01")

        let back = plan(directory(nurseState: onLeave), bulk, people: [nurse, clerk])
        let rehired = plan(directory(), bulk, people: [nurse, clerk])

        let resets = back.changes.filter { $0.kind == .resetMFAFailCounters }
        #expect(resets.map(\.employeeID) == ["000101"])
        #expect(resets.first?.target == "bulk")
        #expect(rehired.changes.contains { $0.kind == .enable }, "the rehire comes back")
        #expect(!rehired.changes.contains { $0.kind == .resetMFAFailCounters })
    }

    @Test func settledLeaverWithATokenAssignedSinceIsRevoked() {
        let bulk = BulkFakeMFA()
        bulk.users = ["agarcia": [revoked, totp], "jsmith": [totp]]

        let plan = plan(directory(), bulk)

        #expect(bulk.asked.isEmpty, "nobody is asked about one by one")
        let revocations = plan.changes.filter { $0.kind == .revokeAuthenticators }
        #expect(revocations.map(\.employeeID) == ["000101"])
        #expect(revocations.first?.category == .leaver)
        #expect(revocations.first?.reason.rule == "mfa-reconciliation")
        #expect(revocations.first?.attributes.first?.before == ["TOTP0001 (totp)"])
        #expect(revocations.first?.attributes.first?.after == ["TOTP0001 (totp, revoked)"])
        #expect(!plan.changes.contains { $0.kind == .recordRevocation }, "recorded complete already")
    }

    @Test func settledLeaverWithNothingUsableCostsNoChange() {
        let bulk = BulkFakeMFA()
        bulk.users = ["agarcia": [revoked], "jsmith": [totp]]

        let plan = plan(directory(), bulk)

        #expect(!plan.changes.contains { $0.kind.isMFAAction })
    }

    @Test func accountOnLeaveIsNotReconciled() {
        let bulk = BulkFakeMFA()
        bulk.users = ["agarcia": [totp]]
        let onLeave = Fixtures.disabledState(.leaveOfAbsence, on: "2024-03-01")

        let plan = plan(directory(nurseState: onLeave), bulk)

        #expect(!plan.changes.contains { $0.kind == .revokeAuthenticators })
    }

    @Test func failedListingIsAFindingAndNotAnEmptyListing() {
        let bulk = BulkFakeMFA()
        bulk.listingFailure = "HTTP 503"

        let plan = plan(directory(), bulk)

        let finding = plan.findings.first { $0.kind == .mfaUnchecked }
        #expect(finding?.text.contains("HTTP 503") == true, "\(plan.findings)")
        #expect(!plan.changes.contains { $0.kind.isMFAAction })
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// `disable.credentials`: what a leaver's disable takes away besides the bind.
@Suite struct PlannerCredentialTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")

    var leaver: Person {
        var person = nurse
        person.status = .terminated
        person.terminationDate = Fixtures.date("2024-03-14")
        return person
    }

    func config(wipe: Bool = true) -> Config {
        Fixtures.config { config in
            config.credentials = CredentialPolicy(
                attributes: wipe ? CredentialPolicy.openLDAPDefaults : nil)
        }
    }

    func directory(
        credentials: [String], lock: AccountLock = .none,
        state: AccountState = AccountState()
    ) -> ObservedDirectory {
        var (account, _) = Fixtures.synced(nurse, login: "agarcia", state: state)
        account.credentials = credentials
        account.lock = lock
        return Fixtures.directory([account])
    }

    var wipedState: AccountState {
        var state = Fixtures.disabledState(.leaver, on: "2024-03-15")
        state.revocationPending = true
        state.credentialsWiped = true
        return state
    }

    @Test func disableTakesThePresentCredentialsInTheSameChange() throws {
        let observed = directory(credentials: ["userpassword", "usercertificate;binary"])
        let disable = try #require(
            only(.disable, in: Fixtures.plan([leaver], observed, config: config())))
        #expect(disable.wipe == ["userPassword", "userCertificate;binary"])
        #expect(AccountState(stored: disable.state ?? "")?.credentialsWiped == true)
        #expect(
            disable.wipeDescription
                == "credentials removed: userPassword (replaced with an unusable value), "
                + "userCertificate;binary")
        #expect(TextReport.describe(disable).contains("userCertificate;binary"))
    }

    @Test func noWipeWhereNotConfigured() throws {
        let observed = directory(credentials: ["userpassword"])
        let disable = try #require(
            only(.disable, in: Fixtures.plan([leaver], observed, config: config(wipe: false))))
        #expect(disable.wipe == nil)
    }

    @Test func disabledAndWipedAccountHasNothingMoreToDo() {
        let observed = directory(
            credentials: ["userpassword"], lock: .administrative, state: wipedState)
        #expect(Fixtures.plan([leaver], observed, config: config()).changes.isEmpty)
    }

    @Test func credentialAddedAfterTheDisableIsTakenWithoutTouchingThePassword() throws {
        let observed = directory(
            credentials: ["userpassword", "sshpublickey"], lock: .administrative,
            state: wipedState)
        let change = try #require(
            only(.setAttributes, in: Fixtures.plan([leaver], observed, config: config())))
        #expect(change.wipe == ["sshPublicKey"])
        #expect(change.category == .leaver)
    }

    @Test func accountDisabledBeforeTheWipeWasConfiguredIsWipedOnce() throws {
        var state = wipedState
        state.credentialsWiped = false
        let observed = directory(credentials: ["userpassword"], lock: .administrative, state: state)
        let change = try #require(
            only(.setAttributes, in: Fixtures.plan([leaver], observed, config: config())))
        #expect(change.wipe == ["userPassword"])
        #expect(AccountState(stored: change.state ?? "")?.credentialsWiped == true)
    }

    @Test func rehireGetsNothingBackAndForgetsTheWipe() throws {
        let observed = directory(
            credentials: ["userpassword"], lock: .administrative, state: wipedState)
        let plan = Fixtures.plan([nurse], observed, config: config())
        let enable = try #require(only(.enable, in: plan))
        #expect(enable.wipe == nil)
        #expect(AccountState(stored: enable.state ?? "")?.credentialsWiped == false)
        #expect(plan.changes.allSatisfy { $0.wipe == nil })
    }

    @Test func orphanDisabledByPolicyKeepsItsCredentials() throws {
        var orphan = Fixtures.account("stray", id: nil, state: nil)
        orphan.credentials = ["userpassword"]
        let config = Fixtures.config { config in
            config.credentials = CredentialPolicy(attributes: CredentialPolicy.openLDAPDefaults)
            config.policy.orphans = .disable
        }
        let disable = try #require(
            only(
                .disable,
                in: Fixtures.plan(
                    [nurse], Fixtures.directory([orphan]),
                    config: config)))
        #expect(disable.wipe == nil)
    }
}

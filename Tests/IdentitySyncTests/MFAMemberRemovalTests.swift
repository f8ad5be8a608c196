import Foundation
import Testing
import YAML

@testable import IdentitySync

/// `mfa.noncompliant_members.remove_from`: an EHR superuser who has only a TOTP token is
/// reported before the date and taken out of ehr-superusers from it.
@Suite struct MFAMemberRemovalTests {
    let superuser = Fixtures.person("000101", "Ana", "Garcia", jobCode: "EHR-SU")
    let clerk = Fixtures.person("000101", "Ana", "Garcia", jobCode: "AD01",
                                department: "Admissions")
    let totp = Authenticator(id: "TOTP0001", type: "totp", kind: .totp, usable: true)
    let certificate = Authenticator(id: "CRT0001", type: "certificate", kind: .certificate,
                                    usable: true)
    let superusers = "cn=ehr-superusers,\(groupsDN)"
    let leavesSuperusers =
        "remove-from-group uid=agarcia,\(peopleDN) -> cn=ehr-superusers,\(groupsDN)"

    func config(from date: String = "2024-03-15", _ adjust: (inout Config) -> Void = { _ in })
        -> Config {
        Fixtures.config { config in
            config.mfa.memberRemoval = MemberRemoval(from: Fixtures.date(date),
                                                     source: "idsync.yaml:23")
            adjust(&config)
        }
    }

    /// `person`'s synced account (login agarcia) in the groups their rules grant, plus `extra`.
    func directory(_ person: Person, extra: [String] = []) -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(person, login: "agarcia")
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups + extra { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    func connector(_ authenticators: [Authenticator]) -> FakeMFA {
        let pi = FakeMFA("pi")
        pi.users["agarcia"] = authenticators
        return pi
    }

    func plan(_ person: Person, _ directory: ObservedDirectory, _ connectors: [MFAConnector],
              config: Config, at instant: Date = Fixtures.runInstant) -> Plan {
        SyncRun(config: config, instant: instant, override: nil)
            .plan(feed: Fixtures.feed([person]), directory: directory, mfa: connectors)
    }

    /// The superuser, already a member, with these authenticators in one connector.
    func plan(holding authenticators: [Authenticator], config: Config) -> Plan {
        plan(superuser, directory(superuser), [connector(authenticators)], config: config)
    }

    func removals(_ plan: Plan) -> [String] {
        changes(plan, .removeFromGroup).map(summary)
    }

    func exception(_ why: String) -> AccessException {
        AccessException(employeeID: "000101", group: "ehr-superusers",
                        until: Fixtures.date("2024-04-01"), approvedBy: "Dr. Hopper", why: why,
                        source: "exceptions.yaml:3")
    }

    @Test func beforeTheDateTheMemberIsToldWhenTheyWillBeRemoved() {
        let plan = plan(holding: [totp], config: config(from: "2024-03-16"))

        #expect(removals(plan).isEmpty)
        expectFinding(plan, .nonCompliant, containing: "removed on 2024-03-16 under "
                          + "mfa.noncompliant_members.remove_from 2024-03-16 (idsync.yaml:23)")
        expectFinding(plan, .nonCompliant, containing: "TOTP0001 (totp)")
    }

    @Test func fromTheDateTheMemberLeavesOnlyThePrivilegedGroup() throws {
        let plan = plan(holding: [totp], config: config())

        // ehr-users is granted to nurses at the standard level too: only ehr-superusers goes.
        #expect(removals(plan) == [leavesSuperusers])
        let removal = try #require(changes(plan, .removeFromGroup).first)
        #expect(removal.reason.rule == "mfa-noncompliant-members")
        let policy = "mfa.noncompliant_members.remove_from 2024-03-15 (idsync.yaml:23)"
        #expect(removal.reason.text.hasPrefix(policy))
        #expect(removal.reason.text.contains("TOTP0001 (totp)"))
        #expect(removal.reason.fields == [FieldEvidence(field: "remove_from", value: "2024-03-15")])
        #expect(plan.summary.movers == 1)
        expectFinding(plan, .nonCompliant, containing: "granted again once a phishing-resistant")
    }

    /// A clerk holds ehr-users only through the phishing-resistant superuser rule.
    @Test func groupGrantedOnlyByTheStrictRuleGoesToo() {
        var superclerk = clerk
        superclerk.jobCode = "EHR-SU"

        let plan = plan(superclerk, directory(superclerk), [connector([totp])], config: config())

        let leavesUsers = "remove-from-group uid=agarcia,\(peopleDN) -> cn=ehr-users,\(groupsDN)"
        #expect(removals(plan) == [leavesSuperusers, leavesUsers])
    }

    @Test func memberWithACertificateStays() {
        let plan = plan(holding: [totp, certificate], config: config())

        #expect(removals(plan).isEmpty)
        #expect(!plan.findings.contains { $0.kind == .nonCompliant })
    }

    @Test func withoutADateMembersAreOnlyReported() {
        let plan = plan(holding: [totp], config: Fixtures.config())

        #expect(removals(plan).isEmpty)
        expectFinding(plan, .nonCompliant, containing: "member of ehr-superusers without a")
    }

    /// 05:30 UTC on the 15th is the 15th in New York and still the 14th in Denver.
    @Test func theDateIsThePersonsLocalDate() {
        let early = Fixtures.instant("2024-03-15T05:30:00Z")
        var denver = superuser
        denver.location = "Denver Clinic"

        let newYork = plan(superuser, directory(superuser), [connector([totp])], config: config(),
                           at: early)
        let mountain = plan(denver, directory(denver), [connector([totp])], config: config(),
                            at: early)

        #expect(removals(newYork) == [leavesSuperusers])
        #expect(removals(mountain).isEmpty)
        expectFinding(mountain, .nonCompliant, containing: "removed on 2024-03-15")
    }

    @Test func protectedAccountIsNeverRemoved() {
        let config = config { $0.protected.dns = [Fixtures.personDN("agarcia")] }

        let plan = plan(holding: [totp], config: config)

        #expect(removals(plan).isEmpty)
        expectFinding(plan, .nonCompliant, containing: "a protected account (listed by DN): never")
    }

    @Test func connectorErrorIsNoRemovalAFindingAndExitOne() throws {
        let pi = connector([totp])
        pi.failure = "HTTP 503"
        let observed = directory(superuser)

        let plan = plan(superuser, observed, [pi], config: config())

        #expect(removals(plan).isEmpty)
        expectFinding(plan, .mfaUnchecked,
                      containing: "not removed under mfa.noncompliant_members")
        expectFinding(plan, .mfaUnchecked, containing: "pi could not be asked (HTTP 503)")
        let audit = try AuditFile()
        let result = try SyncRun(config: config(), instant: Fixtures.runInstant, override: nil)
            .apply(plan, directory: observed, connector: FakeDirectory(observed),
                   audit: try audit.open(), mfa: [pi])
        #expect(result.status == .partial)
    }

    @Test func secondConnectorWithACertificateOutweighsOneThatFailed() {
        let failing = FakeMFA("okta")
        failing.failure = "HTTP 503"

        let plan = plan(superuser, directory(superuser), [failing, connector([certificate])],
                        config: config())

        #expect(removals(plan).isEmpty)
        #expect(!plan.findings.contains { $0.kind == .mfaUnchecked })
    }

    @Test func removalsCountAgainstTheGroupRemovalBudget() throws {
        let config = config { $0.guards.groupRemovals = Budget(count: 0, percent: 100) }

        let plan = plan(holding: [totp], config: config)

        let verdict = try #require(plan.guards.first { $0.guardName == "group-removals" })
        #expect(verdict.count == 1)
        #expect(!verdict.passed)
        #expect(plan.isStopped)
    }

    @Test func exceptionForTheGroupKeepsTheMember() {
        let config = config { $0.exceptions.entries = [exception("smart card on order")] }

        let plan = plan(holding: [totp], config: config)

        #expect(removals(plan).isEmpty)
        expectFinding(plan, .nonCompliant,
                      containing: "kept in ehr-superusers by the exception at exceptions.yaml:3")
    }

    /// Under `exceptions.privileged: hold` a nurse's exception for ehr-superusers keeps the
    /// membership she has (the planner's rule), and the MFA policy keeps it too; under the
    /// default `refuse` the planner takes the group away and the policy adds nothing to that.
    @Test func heldExceptionKeepsAndRefusedExceptionDoesNot() {
        let nurse = Fixtures.person("000101", "Ana", "Garcia")
        let held = config {
            $0.exceptions.entries = [exception("cover")]
            $0.exceptions.privileged = .hold
        }
        let refused = config { $0.exceptions.entries = [exception("cover")] }
        let observed = directory(nurse, extra: ["ehr-superusers"])

        let kept = plan(nurse, observed, [connector([totp])], config: held)
        let removed = plan(nurse, observed, [connector([totp])], config: refused)

        #expect(removals(kept).isEmpty)
        expectFinding(kept, .nonCompliant, containing: "kept in ehr-superusers by the exception")
        #expect(removals(removed) == [leavesSuperusers])
    }

    @Test func grantPolicyGivesWayFromTheDate() {
        let config = config { $0.mfa.privilegedGrants = .grant }

        let plan = plan(superuser, directory(clerk), [connector([totp])], config: config)

        #expect(!plan.changes.contains { $0.kind == .addToGroup && $0.target == superusers })
        expectFinding(plan, .held, containing: "privileged_grants: grant gives way to "
                          + "mfa.noncompliant_members")
    }

    @Test func removedMemberIsGrantedAgainOnceEnrolled() {
        let removed = directory(clerk)

        let waiting = plan(superuser, removed, [connector([totp])], config: config())
        let enrolled = plan(superuser, removed, [connector([totp, certificate])], config: config())

        expectFinding(waiting, .held, containing: "the grant of ehr-superusers waits")
        #expect(enrolled.changes.contains { $0.kind == .addToGroup && $0.target == superusers })
    }
}

@Suite struct MemberRemovalReportTests {
    let removal = MFAMemberRemovalTests()

    @Test func everyFormatShowsTheRemovalAndWhoWaits() throws {
        let waiting = removal.plan(holding: [removal.totp],
                                   config: removal.config(from: "2024-03-20"))
        let removed = removal.plan(holding: [removal.totp], config: removal.config())

        let csv = CSVReport.render(removed)
        #expect(csv.contains("mover,remove-from-group,000101,Ana Garcia,agarcia"))
        #expect(csv.contains(",mfa-noncompliant-members,"
                             + "mfa.noncompliant_members.remove_from 2024-03-15"))
        #expect(csv.contains("remove_from=2024-03-15"))
        let json = try JSONReport.render(removed, now: Fixtures.runInstant)
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let plan = document?["plan"] as? [String: Any]
        let change = (plan?["changes"] as? [[String: Any]])?.first
        let reason = change?["reason"] as? [String: Any]
        #expect(change?["kind"] as? String == "remove-from-group", "\(json)")
        #expect(reason?["rule"] as? String == "mfa-noncompliant-members")
        let fields = reason?["fields"] as? [[String: String]]
        #expect(fields == [["field": "remove_from", "value": "2024-03-15"]])
        let html = HTMLReport.render(waiting)
        #expect(html.contains("data-kind=\"finding:non-compliant\""))
        #expect(html.contains("removed on 2024-03-20 under mfa.noncompliant_members"))
    }
}

@Suite struct MemberRemovalConfigTests {
    let block = "mfa:\n  noncompliant_members:\n    remove_from: 2027-03-01\n"
        + "  connectors:\n    - {name: okta, type: okta, url: https://example.okta.com, "
        + "token_env: OKTA_TOKEN}\naudit:\n"

    func file(_ old: String = "", _ new: String = "") throws -> ConfigFile {
        let text = old.isEmpty ? block : block.replacingOccurrences(of: old, with: new)
        return try ConfigFile(replacing: "audit:\n", with: text)
    }

    @Test func policyLoadsWithItsDateAndLine() throws {
        let file = try file()

        let config = try ConfigLoader.load(path: file.path)

        let expected = MemberRemoval(from: Fixtures.date("2027-03-01"), source: "\(file.path):20")
        #expect(config.mfa.memberRemoval == expected)
    }

    @Test func badDateNamesFileAndLine() throws {
        expectLoadError(try file("2027-03-01", "2027-02-30"), line: 20,
                        containing: "must be a date such as 2027-03-01, in the years 1900 to 9999, "
                            + "found '2027-02-30'")
    }

    /// The message named no years, so a date before 1900 seemed well written.
    @Test func aYearBefore1900NamesTheYearsTaken() throws {
        expectLoadError(try file("2027-03-01", "1899-12-31"), line: 20,
                        containing: "must be a date such as 2027-03-01, in the years 1900 to "
                            + "9999, found '1899-12-31'")
    }

    @Test func unknownKeyNamesFileAndLine() throws {
        expectLoadError(try file("remove_from", "remove_on"), line: 20,
                        containing: "did you mean 'remove_from'?")
    }

    func expectLoadError(_ file: ConfigFile, line: Int, containing text: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ConfigLoader.load(path: file.path)
            Issue.record("loaded, expected an error containing '\(text)'",
                         sourceLocation: sourceLocation)
        } catch let error as YAMLError {
            #expect("\(error)".hasPrefix("\(file.path):\(line):"), "\(error)",
                    sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}

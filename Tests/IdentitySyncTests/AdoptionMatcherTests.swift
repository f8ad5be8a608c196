import Foundation
import Testing

@testable import IdentitySync

/// Builders for accounts a person made by hand: no employee id, no idsync state.
enum Handmade {
    static func account(
        _ login: String, given: String? = nil, sn: String? = nil, cn: String? = nil,
        mail: String? = nil, department: String? = nil, manager: String? = nil,
        state: AccountState? = nil
    ) -> ObservedAccount {
        var attributes: [String: [String]] = ["objectclass": ["inetOrgPerson"]]
        if let given { attributes["givenname"] = [given] }
        if let sn { attributes["sn"] = [sn] }
        if let cn { attributes["cn"] = [cn] }
        if let mail { attributes["mail"] = [mail] }
        if let department { attributes["departmentnumber"] = [department] }
        if let manager { attributes["manager"] = [manager] }
        return Fixtures.account(login, id: nil, attributes: attributes, state: state)
    }

    static func person(
        _ id: String, _ first: String, _ last: String, department: String = "Nursing",
        mail: String? = nil, manager: String? = nil, preferred: String? = nil
    ) -> Person {
        var person = Fixtures.person(
            id, first, last, department: department, manager: manager, preferred: preferred)
        person.workEmail = mail
        return person
    }

    static func proposals(
        _ people: [Person], _ accounts: [ObservedAccount],
        config: Config = Fixtures.config()
    ) -> [AdoptionProposal] {
        AdoptionMatcher(config: config).proposals(
            people: people, directory: Fixtures.directory(accounts))
    }
}

@Suite struct AdoptionMatcherTests {
    @Test func mailMatchIsHighConfidenceAndApprovedAheadWhenNothingCompetes() throws {
        let account = Handmade.account(
            "jsmith", given: "Jon", sn: "Smyth", mail: "John.Smith@example.org")
        let person = Handmade.person("000116", "John", "Smith", mail: "john.smith@EXAMPLE.org")
        let proposals = Handmade.proposals([person], [account])
        let proposal = try #require(proposals.first)
        #expect(proposals.count == 1)
        #expect(proposal.confidence == .high)
        #expect(proposal.accountDN == "uid=jsmith,\(peopleDN)" && proposal.login == "jsmith")
        #expect(proposal.employeeID == "000116" && proposal.hrName == "John Smith")
        #expect(
            proposal.evidence == [
                MatchEvidence(
                    attribute: "mail", accountValue: "John.Smith@example.org",
                    field: "work_email", hrValue: "john.smith@EXAMPLE.org")
            ])
        #expect(!proposal.isAmbiguous && proposal.isAutoApproved)
    }

    @Test func nameIsFoldedAndTakesThePreferredFirstName() throws {
        let chloe = Handmade.account("cdubois", cn: "CHLOE DUBOIS MARTIN", department: "Oncology")
        let bob = Handmade.account("bjones", given: "Bob", sn: "Jones", department: "Radiology")
        let people = [
            Handmade.person("000103", "Chloé", "Dubois-Martin", department: "oncology"),
            Handmade.person("000120", "Robert", "Jones", department: "Radiology", preferred: "Bob"),
        ]
        let proposals = Handmade.proposals(people, [chloe, bob])
        #expect(
            proposals.map { "\($0.login) \($0.employeeID) \($0.confidence.rawValue)" }
                == ["bjones 000120 medium", "cdubois 000103 medium"])
        #expect(
            proposals[0].evidence.map(\.text) == [
                "givenName+sn 'Bob Jones' = preferred_name+last_name 'Bob Jones'",
                "departmentNumber 'Radiology' = department 'Radiology'",
            ])
        #expect(
            proposals[1].evidence[0].text
                == "cn 'CHLOE DUBOIS MARTIN' = first_name+last_name 'Chloé Dubois-Martin'")
        #expect(proposals.allSatisfy { !$0.isAutoApproved }, "only mail matches are approved ahead")
    }

    @Test func nameWithoutDepartmentOrManagerIsLow() throws {
        let account = Handmade.account("agarcia", cn: "García, Ana", department: "Pharmacy")
        let proposals = Handmade.proposals([Handmade.person("000101", "Ana", "Garcia")], [account])
        #expect(proposals.map(\.confidence) == [.low])
        #expect(proposals.first?.evidence.first?.attribute == "cn", "a last-first cn matches too")
    }

    @Test func twoPeopleWithOneNameMakeTheAccountAmbiguousForBoth() {
        let account = Handmade.account("mlee", given: "Mary", sn: "Lee", department: "Nursing")
        let people = [
            Handmade.person("000130", "Mary", "Lee"), Handmade.person("000131", "Mary", "Lee"),
        ]
        let proposals = Handmade.proposals(people, [account])
        #expect(proposals.count == 2)
        #expect(
            proposals.allSatisfy {
                $0.isAmbiguous && !$0.isAutoApproved && $0.confidence == .medium
            })
        #expect(proposals[0].competing == ["account also matches 000131 Mary Lee (medium)"])
    }

    @Test func aNearDuplicateAccountMakesEvenAMailMatchAmbiguous() {
        let accounts = [
            Handmade.account("jsmith", given: "John", sn: "Smith", mail: "jsmith@example.org"),
            Handmade.account("jsmith-old", cn: "John Smith"),
        ]
        let person = Handmade.person("000116", "John", "Smith", mail: "jsmith@example.org")
        let proposals = Handmade.proposals([person], accounts)
        #expect(
            proposals.map { "\($0.login) \($0.confidence.rawValue)" } == [
                "jsmith high", "jsmith-old low",
            ])
        #expect(proposals[0].competing == ["person also matches uid=jsmith-old,\(peopleDN) (low)"])
        #expect(proposals.allSatisfy { !$0.isAutoApproved })
    }

    @Test func claimedAccountsPeopleWithAccountsProtectedAndRejectedPairsAreLeftOut() {
        let claimed = Fixtures.account("agarcia", id: "000101", attributes: ["cn": ["Ana Garcia"]])
        let twin = Handmade.account("agarcia2", cn: "Ana Garcia", department: "Nursing")
        var rejected = AccountState()
        rejected.notMatches = ["000140"]
        let notHim = Handmade.account(
            "pkhan", cn: "Pat Khan", department: "Nursing", state: rejected)
        let glass = Handmade.account("breakglass", cn: "Lab Emergency", department: "Nursing")
        let people = [
            Handmade.person("000101", "Ana", "Garcia"), Handmade.person("000140", "Pat", "Khan"),
            Handmade.person("000141", "Lab", "Emergency"),
        ]
        let proposals = AdoptionMatcher(config: Fixtures.config()).proposals(
            people: people, directory: Fixtures.directory([claimed, twin, notHim, glass])
        ) { $0.login == "breakglass" }
        #expect(proposals.isEmpty, "\(proposals)")
    }

    @Test func aNameManyAccountsShareIsNoEvidenceAloneAndCompetitorsAreCapped() {
        let smiths = (1...5).map { Handmade.account("jsmith\($0)", cn: "John Smith") }
        let inNursing = (6...10).map {
            Handmade.account("jsmith\($0)", cn: "John Smith", department: "Nursing")
        }
        let john = Handmade.person("000116", "John", "Smith")
        let proposals = Handmade.proposals([john], smiths + inNursing)
        #expect(proposals.map(\.login) == ["jsmith10", "jsmith6", "jsmith7", "jsmith8", "jsmith9"],
                "no name-only rows")
        #expect(proposals.allSatisfy { $0.confidence == .medium && $0.isAmbiguous })
        #expect(proposals[0].competing == [
            "person also matches uid=jsmith6,\(peopleDN) (medium)",
            "person also matches uid=jsmith7,\(peopleDN) (medium)",
            "person also matches uid=jsmith8,\(peopleDN) (medium)",
            "1 more candidates for this person",
        ])
    }

    @Test func managerCountsThroughTheManagersOwnProposal() throws {
        // Nobody is claimed yet: the manager's account is known from her own mail match.
        let boss = Handmade.account("ghopper", cn: "Grace Hopper", mail: "grace@example.org")
        let nurse = Handmade.account(
            "ngill", cn: "Nina Gill", department: "Wards",
            manager: "UID=ghopper,ou=People,dc=example,dc=org")
        let people = [
            Handmade.person(
                "000110", "Grace", "Hopper", department: "Medicine", mail: "grace@example.org"),
            Handmade.person("000150", "Nina", "Gill", department: "Nursing", manager: "000110"),
        ]
        let proposals = Handmade.proposals(people, [boss, nurse])
        let nina = try #require(proposals.first { $0.employeeID == "000150" })
        #expect(nina.confidence == .medium)
        #expect(nina.evidence.last?.attribute == "manager")
        #expect(nina.evidence.last?.hrValue.hasPrefix("000110") == true)
    }
}

@Suite struct PlannerAdoptionHoldTests {
    let groups = Dictionary(
        uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })

    @Test func aPersonWhoseAccountProbablyExistsIsHeldNotCreated() throws {
        let existing = Handmade.account("jsmith", given: "John", sn: "Smith", department: "Nursing")
        let john = Handmade.person("000116", "John", "Smith")
        let plan = Fixtures.plan([john], Fixtures.directory([existing], groups: groups))
        #expect(plan.changes.isEmpty, "\(summaries(plan))")
        expectFinding(
            plan, .probableAccount,
            containing: "probable existing account: uid=jsmith,\(peopleDN) "
                + "(medium: givenName+sn 'John Smith' = first_name+last_name 'John Smith'; "
                + "departmentNumber 'Nursing' = department 'Nursing')")
        #expect(plan.summary.joiners == 0)
    }

    @Test func aNameAloneDoesNotHoldTheJoiner() {
        let existing = Handmade.account(
            "jsmith", given: "John", sn: "Smith", department: "Pharmacy")
        let john = Handmade.person("000116", "John", "Smith")
        let plan = Fixtures.plan([john], Fixtures.directory([existing], groups: groups))
        #expect(changes(plan, .createAccount).map(\.dn) == ["uid=jsmith2,\(peopleDN)"])
    }

    @Test func theHeldPersonsLoginIsNotTakenFromAnotherJoiner() {
        // Jane gets jsmith2 whether or not John, held, would have wanted it.
        let existing = Handmade.account("jsmith", given: "John", sn: "Smith", department: "Nursing")
        let people = [
            Handmade.person("000116", "John", "Smith"), Handmade.person("000117", "Jane", "Smith"),
        ]
        let plan = Fixtures.plan(people, Fixtures.directory([existing], groups: groups))
        #expect(changes(plan, .createAccount).map(\.dn) == ["uid=jsmith2,\(peopleDN)"])
        #expect(changes(plan, .createAccount).first?.employeeID == "000117")
    }

    @Test func aProbableAccountIsNotDisabledAsAnOrphan() {
        let existing = Handmade.account("jsmith", given: "John", sn: "Smith", department: "Nursing")
        let loner = Handmade.account("oldlab", cn: "Old Lab")
        let config = Fixtures.config { $0.policy.orphans = .disable }
        let plan = Fixtures.plan(
            [Handmade.person("000116", "John", "Smith")],
            Fixtures.directory([existing, loner], groups: groups), config: config)
        #expect(changes(plan, .disable).map(\.dn) == ["uid=oldlab,\(peopleDN)"])
    }

    @Test func aRejectedMatchNoLongerHoldsThePerson() {
        var state = AccountState()
        state.notMatches = ["000116"]
        let existing = Handmade.account(
            "jsmith", given: "John", sn: "Smith", department: "Nursing", state: state)
        let plan = Fixtures.plan(
            [Handmade.person("000116", "John", "Smith")],
            Fixtures.directory([existing], groups: groups))
        #expect(changes(plan, .createAccount).map(\.dn) == ["uid=jsmith2,\(peopleDN)"])
    }

    @Test func notMatchesSurviveTheStoredState() {
        var state = AccountState()
        state.notMatches = ["000117", "000116"]
        #expect(state.stored == "idsync:v1;not-match=000116,000117")
        #expect(AccountState(stored: state.stored)?.notMatches == ["000116", "000117"])
    }
}

import Foundation
import Testing

@testable import IdentitySync

struct RoleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let person: Person
    let groups: [String]
    let mfa: MFALevel
    var testDescription: String { name }
}

@Suite struct MappingTests {
    let mapper = AccountMapper(config: Fixtures.config())
    let active = LifecycleDecision(state: .active, localDate: Fixtures.date("2024-03-15"), conflict: nil,
                                   evidence: [])

    static let roleCases: [RoleCase] = [
        .init(name: "department matches nursing",
              person: Fixtures.person("1", jobCode: "RN01", department: "Nursing"),
              groups: ["all-staff", "ehr-users", "nursing"], mfa: .standard),
        .init(name: "department match ignores case",
              person: Fixtures.person("1", jobCode: "RN01", department: "icu"),
              groups: ["all-staff", "ehr-users", "nursing"], mfa: .standard),
        .init(name: "job code matches physicians",
              person: Fixtures.person("1", jobCode: "md01", department: "Cardiology"),
              groups: ["all-staff", "ehr-users", "physicians"], mfa: .standard),
        .init(name: "MFA level is the highest of the matching rules",
              person: Fixtures.person("1", jobCode: "EHR-SU", department: "Nursing"),
              groups: ["all-staff", "ehr-superusers", "ehr-users", "nursing"], mfa: .phishingResistant),
        .init(name: "worker type matches contractors",
              person: Fixtures.person("1", jobCode: "IT01", department: "IT", workerType: "Locum"),
              groups: ["all-staff", "contractors"], mfa: .standard),
        .init(name: "only the rule without conditions",
              person: Fixtures.person("1", jobCode: "FAC1", department: "Facilities"),
              groups: ["all-staff"], mfa: .standard),
    ]

    @Test(arguments: roleCases)
    func roleRulesGrantGroupsAndTheHighestMFALevel(_ example: RoleCase) {
        let desired = mapper.desired(example.person, decision: active, login: "x", managerDN: nil)
        #expect(desired.groups.sorted() == example.groups)
        #expect(desired.mfa == example.mfa)
    }

    @Test func roleRuleMatchesOnLocation() {
        let config = Fixtures.config { config in
            config.roles.rules.append(RoleRule(name: "denver", match: [.location: ["denver clinic"]],
                                               groups: ["denver-staff"], mfa: .none))
        }
        let mapper = AccountMapper(config: config)
        let denver = mapper.matchingRules(Fixtures.person("1", location: "Denver Clinic")).map(\.name)
        let main = mapper.matchingRules(Fixtures.person("1", location: "Main Campus")).map(\.name)
        #expect(denver.contains("denver"))
        #expect(!main.contains("denver"))
    }

    @Test func everyConditionOfARuleMustMatch() {
        let config = Fixtures.config { config in
            config.roles.rules = [RoleRule(name: "icu-nurses", match: [.department: ["icu"], .jobCode: ["rn01"]],
                                           groups: ["icu-nurses"], mfa: .standard)]
        }
        let mapper = AccountMapper(config: config)
        #expect(mapper.matchingRules(Fixtures.person("1", jobCode: "RN01", department: "ICU")).count == 1)
        #expect(mapper.matchingRules(Fixtures.person("1", jobCode: "RN02", department: "ICU")).isEmpty)
    }

    @Test func noMatchingRuleMeansNoMFALevel() {
        let config = Fixtures.config { $0.roles.rules = [] }
        let desired = AccountMapper(config: config).desired(Fixtures.person("1"), decision: active, login: "x",
                                                            managerDN: nil)
        #expect(desired.mfa == MFALevel.none)
        #expect(desired.groups.isEmpty)
    }

    @Test func templatesRenderFromThePerson() {
        let person = Fixtures.person("000101", "Ana", "García", preferred: "Annie")
        let desired = mapper.desired(person, decision: active, login: "agarcia", managerDN: nil)
        #expect(desired.attributes["cn"] == ["Annie García"])
        #expect(desired.attributes["givenname"] == ["Ana"])
        #expect(desired.attributes["mail"] == ["agarcia@example.org"])
        #expect(desired.attributes["employeenumber"] == ["000101"])
        #expect(desired.attributes["uid"] == ["agarcia"])
        #expect(desired.dn.string == "uid=agarcia,\(peopleDN)")
    }

    @Test func emptyPlaceholderDropsTheAttribute() {
        let person = Fixtures.person("1", manager: nil)
        let desired = mapper.desired(person, decision: active, login: "agarcia", managerDN: nil)
        #expect(desired.attributes["manager"] == [])
    }

    @Test(arguments: [
        ("{preferred} {last}", "", "", ""),
        ("{preferred} {last}", "", "Smith", "Smith"),
        ("{login}@example.org", "", "", ""),
        ("Dr. {last}", "Ann", "", ""),
        ("fixed", "", "", "fixed"),
    ])
    func templateIsEmptyOnlyWhenEveryPlaceholderIs(_ source: String, _ first: String, _ last: String,
                                                    _ expected: String) throws {
        let template = try Template(source)
        let rendered = template.render { field in
            switch field {
            case "preferred", "first": return first
            case "last": return last
            default: return ""
            }
        }
        #expect(rendered == expected)
    }

    @Test func unknownPlaceholderIsRejectedWithTheKnownOnes() {
        #expect {
            try Template("{surname}")
        } throws: { error in
            "\(error)".contains("unknown placeholder {surname}") && "\(error)".contains("last")
        }
        #expect(throws: TemplateError.self) { try Template("{last") }
    }

    @Test func contractorIsPlacedByTheFirstMatchingRule() {
        let contractor = Fixtures.person("1", workerType: "contractor")
        #expect(mapper.container(for: contractor) == Fixtures.contractors)
        #expect(mapper.container(for: Fixtures.person("2")) == Fixtures.people)
    }

    @Test func managerDNIsResolvedThroughTheManagersEmployeeID() {
        // The manager shares the report's name; only the employee id can tell them apart.
        let manager = Fixtures.person("000110", "Ana", "Garcia", jobCode: "MD02", department: "Medicine")
        let report = Fixtures.person("000101", "Ana", "Garcia", manager: "000110")
        let existing = Fixtures.account("agarcia", id: "000110")
        let plan = Fixtures.plan([manager, report], Fixtures.directory([existing]))
        let create = only(.createAccount, in: plan)
        #expect(create?.employeeID == "000101")
        #expect(create?.attributes.first { $0.name == "manager" }?.after == ["uid=agarcia,\(peopleDN)"])
        #expect(create?.dn == "uid=agarcia2,\(peopleDN)")
    }

    @Test func managerOfAJoinerIsAnotherJoinerCreatedInTheSameRun() {
        let manager = Fixtures.person("000200", "Grace", "Hopper", jobCode: "MD02", department: "Medicine")
        let report = Fixtures.person("000100", "Liam", "Obrien", manager: "000200")
        let plan = Fixtures.plan([manager, report], Fixtures.directory([]))
        let create = changes(plan, .createAccount).first { $0.employeeID == "000100" }
        #expect(create?.attributes.first { $0.name == "manager" }?.after == ["uid=ghopper,\(peopleDN)"])
    }

    @Test func unknownManagerLeavesTheManagerAttributeOut() {
        let report = Fixtures.person("000100", "Liam", "Obrien", manager: "999999")
        let plan = Fixtures.plan([report], Fixtures.directory([]))
        let create = only(.createAccount, in: plan)
        #expect(create?.attributes.contains { $0.name == "manager" } == false)
    }
}

@Suite struct LoginNameInPlanTests {
    func login(_ first: String, _ last: String, taken: Set<String> = [],
               sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let plan = Fixtures.plan([Fixtures.person("1", first, last)], Fixtures.directory([], taken: taken))
        return only(.createAccount, in: plan, sourceLocation: sourceLocation)?.login
    }

    @Test(arguments: [
        ("Chloé", "Dubois-Martin", "cduboismartin"),
        ("Liam", "O'Brien", "lobrien"),
        ("Zoë", "Ångström", "zangstrom"),
        ("John", "Smith, Jr", "jsmithjr"),
    ])
    func loginNameIsFoldedToASCII(_ first: String, _ last: String, _ expected: String) {
        #expect(login(first, last) == expected)
    }

    @Test func takenUIDGetsASuffix() {
        #expect(login("John", "Smith", taken: ["jsmith"]) == "jsmith2")
    }

    @Test func takenMailValueCountsAsTaken() {
        // Somebody outside the people subtree already receives jsmith@example.org.
        #expect(login("John", "Smith", taken: ["jsmith@example.org"]) == "jsmith2")
    }

    @Test func twoJohnSmithsInOneFeedGetDistinctLogins() {
        let plan = Fixtures.plan([Fixtures.person("2", "John", "Smith"), Fixtures.person("1", "John", "Smith")],
                                 Fixtures.directory([]))
        let logins = changes(plan, .createAccount).map { "\($0.employeeID!)=\($0.login!)" }
        #expect(logins == ["1=jsmith", "2=jsmith2"])
    }
}

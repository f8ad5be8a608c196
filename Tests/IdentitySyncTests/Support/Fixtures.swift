import Foundation
import Testing

@testable import IdentitySync

/// Builders for the core's inputs, shaped like the bundled sample: a hospital on New York
/// time with a clinic in Denver, the sample's role rules and attribute templates.
enum Fixtures {
    static let base = try! DistinguishedName(parsing: "dc=example,dc=org")
    static let people = try! DistinguishedName(parsing: "ou=people,dc=example,dc=org")
    static let contractors = try! DistinguishedName(parsing: "ou=contractors,ou=people,dc=example,dc=org")
    static let groups = try! DistinguishedName(parsing: "ou=groups,dc=example,dc=org")
    static let placeholder = try! DistinguishedName(parsing: "uid=placeholder,ou=services,dc=example,dc=org")
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let denver = TimeZone(identifier: "America/Denver")!

    /// The repository root, found from this file, for the sample and mappings folders.
    static func repository(_ file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent()   // Support
            .deletingLastPathComponent()                          // IdentitySyncTests
            .deletingLastPathComponent()                          // Tests
            .deletingLastPathComponent()
    }

    static func path(_ relative: String) -> String {
        repository().appendingPathComponent(relative).path
    }

    /// An instant written as ISO 8601 with its offset, e.g. `2024-03-15T12:00:00Z`.
    static func instant(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }

    static func dn(_ text: String) -> DistinguishedName { try! DistinguishedName(parsing: text) }

    static func groupDN(_ name: String) -> DistinguishedName { groups.child("cn", name) }

    static func personDN(_ login: String, in container: DistinguishedName = people) -> DistinguishedName {
        container.child("uid", login)
    }

    static let roleRules = RoleRules(rules: [
        RoleRule(name: "all-staff", match: [:], groups: ["all-staff"], mfa: .standard),
        RoleRule(name: "nursing", match: [.department: ["nursing", "icu"]], groups: ["nursing", "ehr-users"],
                 mfa: .standard),
        RoleRule(name: "physicians", match: [.jobCode: ["md01", "md02"]], groups: ["physicians", "ehr-users"],
                 mfa: .standard),
        RoleRule(name: "ehr-superusers", match: [.jobCode: ["ehr-su"]], groups: ["ehr-superusers", "ehr-users"],
                 mfa: .phishingResistant),
        RoleRule(name: "contractors", match: [.workerType: ["contractor", "locum"]], groups: ["contractors"],
                 mfa: .standard),
    ], privilegedGroups: ["ehr-superusers"])

    static let mapping: AccountMapping = {
        var mapping = AccountMapping(attributes: [
            ("cn", try! Template("{preferred} {last}")),
            ("sn", try! Template("{last}")),
            ("givenName", try! Template("{first}")),
            ("mail", try! Template("{login}@example.org")),
            ("title", try! Template("{job_title}")),
            ("departmentNumber", try! Template("{department}")),
            ("employeeNumber", try! Template("{employee_id}")),
            ("manager", try! Template("{manager_dn}")),
        ])
        mapping.placement = [PlacementRule(name: "contractors", match: [.workerType: ["contractor", "locum"]],
                                           container: contractors)]
        return mapping
    }()

    static let bambooLayout = FeedLayout(
        name: "test", dateLayout: try! DateLayout("yyyy-MM-dd"),
        columns: [.employeeID: "id", .firstName: "first", .lastName: "last", .status: "status"],
        statusValues: ["active": .active, "terminated": .terminated], contractorTypes: ["contractor"])

    static func config(_ adjust: (inout Config) -> Void = { _ in }) -> Config {
        var policy = LifecyclePolicy()
        policy.preHireDays = 14
        policy.enrollmentGroup = "mfa-enroll"
        policy.reverificationGroup = "mfa-reverify"
        var config = Config(
            file: "test.yaml", timeZone: newYork, locationZones: ["denver clinic": denver],
            feed: FeedConfig(path: "hr/test.csv", layout: bambooLayout),
            directory: DirectoryConfig(url: "ldap://127.0.0.1:1", bindDN: "cn=idsync,dc=example,dc=org",
                                       passwordFile: "/dev/null", base: base, people: people, groups: groups,
                                       placeholderMember: placeholder),
            mapping: mapping, roles: roleRules, policy: policy, guards: GuardConfig(),
            protected: ProtectedAccounts(), auditPath: "/dev/null", lockPath: "/dev/null")
        adjust(&config)
        return config
    }

    static func person(_ id: String, _ first: String = "Ana", _ last: String = "Garcia",
                       jobCode: String = "RN01", department: String = "Nursing",
                       location: String = "Main Campus", workerType: String = "Full-Time",
                       status: EmploymentStatus = .active, hired: String? = "2019-03-04",
                       terminated: String? = nil, contractEnds: String? = nil,
                       manager: String? = nil, preferred: String? = nil) -> Person {
        Person(employeeID: id, firstName: first, preferredName: preferred, lastName: last,
               jobTitle: "Title \(jobCode)", jobCode: jobCode, department: department, location: location,
               workerType: workerType,
               workerCategory: ["contractor", "locum"].contains(workerType.lowercased()) ? .contractor : .employee,
               status: status, hireDate: hired.map(date), terminationDate: terminated.map(date),
               contractEndDate: contractEnds.map(date), managerID: manager, source: "hr/test.csv:\(id)")
    }

    static func feed(_ people: [Person], quarantined: [QuarantinedRecord] = [], rowCount: Int? = nil) -> FeedSnapshot {
        FeedSnapshot(people: people, quarantined: quarantined, notices: [],
                     rowCount: rowCount ?? people.count + quarantined.count, origin: "hr/test.csv")
    }

    static func account(_ login: String, id: String?, in container: DistinguishedName = people,
                        attributes: [String: [String]] = [:], lock: AccountLock = .none,
                        state: AccountState? = AccountState()) -> ObservedAccount {
        var values = ["uid": [login], "objectclass": ["inetOrgPerson", "idsyncAccount"]]
        if let id { values["employeenumber"] = [id] }
        values.merge(attributes) { _, new in new }
        return ObservedAccount(dn: personDN(login, in: container), login: login, employeeID: id,
                               attributes: AttributeMap(values), lock: lock, state: state)
    }

    /// A state idsync wrote when it disabled an account.
    static func disabledState(_ reason: DisableReason, on day: String = "2024-01-02") -> AccountState {
        var state = AccountState()
        state.disabledBy = reason
        state.disabledOn = date(day)
        return state
    }

    /// `groups` maps a group name to its member DNs; every group listed exists.
    static func directory(_ accounts: [ObservedAccount], groups: [String: [DistinguishedName]] = [:],
                          taken: Set<String> = []) -> ObservedDirectory {
        var observed: [DistinguishedName: ObservedGroup] = [:]
        for (name, members) in groups {
            observed[groupDN(name)] = ObservedGroup(dn: groupDN(name), members: Set(members.map(\.normalized)))
        }
        var names = taken
        for account in accounts {
            for value in (account.attributes["uid"] ?? []) + (account.attributes["mail"] ?? []) {
                names.insert(value.lowercased())
            }
        }
        return ObservedDirectory(accounts: accounts, groups: observed, takenNames: names, fingerprint: "test")
    }

    /// Every group the sample rules and flags name, existing and empty but for the placeholder.
    static let allGroups = ["all-staff", "nursing", "ehr-users", "physicians", "ehr-superusers", "contractors",
                            "mfa-enroll", "mfa-reverify"]

    /// The account and memberships that the mapping wants for an active person: the
    /// directory after a perfect run.
    static func synced(_ person: Person, login: String, config: Config = config(),
                       managerDN: String? = nil, state: AccountState = AccountState())
        -> (account: ObservedAccount, groups: [String]) {
        let mapper = AccountMapper(config: config)
        let decision = LifecycleDecision(state: .active, localDate: date("2024-03-15"), conflict: nil, evidence: [])
        let desired = mapper.desired(person, decision: decision, login: login, managerDN: managerDN)
        var attributes = desired.attributes.filter { !$0.value.isEmpty }
        attributes["objectclass"] = ["inetOrgPerson", "idsyncAccount"]
        let account = ObservedAccount(dn: desired.dn, login: login, employeeID: person.employeeID,
                                      attributes: AttributeMap(attributes), lock: .none, state: state)
        return (account, desired.groups.sorted())
    }

    static let runInstant = instant("2024-03-15T17:00:00Z")

    static func plan(_ people: [Person], _ directory: ObservedDirectory, quarantined: [QuarantinedRecord] = [],
                     config: Config = config(), at instant: Date = runInstant) -> Plan {
        Planner(config: config, instant: instant).plan(feed: feed(people, quarantined: quarantined),
                                                       directory: directory)
    }
}

/// A change written compactly for comparison: `kind dn -> target`.
func summary(_ change: Change) -> String {
    var text = "\(change.kind.rawValue) \(change.dn)"
    if let target = change.target { text += " -> \(target)" }
    return text
}

func summaries(_ plan: Plan) -> [String] { plan.changes.map(summary) }

func changes(_ plan: Plan, _ kind: ChangeKind) -> [Change] { plan.changes.filter { $0.kind == kind } }

/// The single change of `kind`, failing the test at the caller's line when there is not exactly one.
func only(_ kind: ChangeKind, in plan: Plan, sourceLocation: SourceLocation = #_sourceLocation) -> Change? {
    let found = changes(plan, kind)
    #expect(found.count == 1, "expected one \(kind.rawValue), found \(found.map(summary))",
            sourceLocation: sourceLocation)
    return found.first
}

/// Fails at the caller's line unless the plan has a finding of `kind` whose text contains `text`.
func expectFinding(_ plan: Plan, _ kind: Finding.Kind, containing text: String = "",
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let matching = plan.findings.filter { $0.kind == kind && (text.isEmpty || $0.text.contains(text)) }
    #expect(!matching.isEmpty, "no \(kind.rawValue) finding containing '\(text)' in \(plan.findings)",
            sourceLocation: sourceLocation)
}

let peopleDN = "ou=people,dc=example,dc=org"
let groupsDN = "ou=groups,dc=example,dc=org"

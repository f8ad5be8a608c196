import Foundation

/// What a person's account should look like on the run's date.
public struct DesiredAccount: Sendable {
    public let person: Person
    public let decision: LifecycleDecision
    public let login: String
    public let dn: DistinguishedName
    /// Attribute values by lower-cased name, for the attributes the mapping writes.
    public var attributes: [String: [String]]
    /// The role groups the person's rules grant (names, not DNs).
    public let groups: Set<String>
    public let mfa: MFALevel
    public let rules: [String]
    /// The exceptions file's entries for this person, sorted by what they do on the date.
    public var exceptions = ExceptionGrants()
}

/// Turns people into desired accounts with the mapping's templates and role rules.
public struct AccountMapper: Sendable {
    public let config: Config
    let exceptionsByPerson: [String: [AccessException]]
    /// The mapped attributes' names lower-cased, in mapping order, and the login's: made
    /// once, not once per person.
    let attributeKeys: [String]
    let loginKey: String
    /// The keys of attributes whose template names the manager's DN (`{manager_dn}`).
    let managerKeys: [String]

    public init(config: Config) {
        self.config = config
        self.exceptionsByPerson = config.exceptions.byPerson()
        self.attributeKeys = config.mapping.attributes.map { $0.name.lowercased() }
        self.loginKey = config.mapping.loginAttribute.lowercased()
        self.managerKeys = config.mapping.attributes
            .filter { $0.template.source.contains("{manager_dn}") }
            .map { $0.name.lowercased() }
    }

    /// The role rules whose every condition the person meets, in file order.
    public func matchingRules(_ person: Person) -> [RoleRule] {
        config.roles.rules.filter { rule in
            rule.match.allSatisfy { field, values in
                values.contains(AccountMapper.value(of: field, in: person).lowercased())
            }
        }
    }

    /// The container a person's entry belongs in: the first placement rule that matches.
    public func container(for person: Person) -> DistinguishedName {
        let rule = config.mapping.placement.first { rule in
            rule.match.allSatisfy { field, values in
                values.contains(AccountMapper.value(of: field, in: person).lowercased())
            }
        }
        return rule?.container ?? config.directory.people
    }

    /// Renders the desired account. `login` is the stored one for an existing account, or
    /// the one chosen for a joiner; `managerDN` comes from the manager's own account.
    /// `dn`, where the caller knows it already, saves building it again.
    public func desired(_ person: Person, decision: LifecycleDecision, login: String,
                        managerDN: String?, dn known: DistinguishedName? = nil) -> DesiredAccount {
        let rules = matchingRules(person)
        let dn = known ?? container(for: person).child(config.mapping.loginAttribute, login)
        var attributes: [String: [String]] = [:]
        attributes.reserveCapacity(attributeKeys.count + 1)
        for ((_, template), key) in zip(config.mapping.attributes, attributeKeys) {
            let value = template.render { field in
                AccountMapper.templateValue(field, person: person, login: login, managerDN: managerDN)
            }
            attributes[key] = value.isEmpty ? [] : [value]
        }
        attributes[loginKey] = [login]
        let mfa = rules.map(\.mfa).max() ?? .none
        var groups = Set(rules.flatMap(\.groups))
        let grants = exceptionGrants(person, on: decision.localDate, level: mfa, ruleGroups: groups)
        groups.formUnion(grants.granted.map(\.group))
        return DesiredAccount(person: person, decision: decision, login: login, dn: dn,
                              attributes: attributes, groups: groups, mfa: mfa, rules: rules.map(\.name),
                              exceptions: grants)
    }

    static func templateValue(_ field: String, person: Person, login: String, managerDN: String?) -> String {
        switch field {
        case "first": return person.firstName
        case "preferred": return person.displayFirstName
        case "last": return person.lastName
        case "job_title": return person.jobTitle
        case "job_code": return person.jobCode
        case "department": return person.department
        case "location": return person.location
        case "worker_type": return person.workerType
        case "employee_id": return person.employeeID
        case "login": return login
        case "manager_dn": return managerDN ?? ""
        default: return ""
        }
    }

    /// The value of an HR field, as role and placement rules match it.
    public static func value(of field: HRField, in person: Person) -> String {
        switch field {
        case .employeeID: return person.employeeID
        case .firstName: return person.firstName
        case .preferredName: return person.preferredName ?? ""
        case .lastName: return person.lastName
        case .jobTitle: return person.jobTitle
        case .jobCode: return person.jobCode
        case .department: return person.department
        case .location: return person.location
        case .workerType: return person.workerType
        case .status: return person.status.rawValue
        case .hireDate: return person.hireDate.map { "\($0)" } ?? ""
        case .terminationDate: return person.terminationDate.map { "\($0)" } ?? ""
        case .contractEndDate: return person.contractEndDate.map { "\($0)" } ?? ""
        case .managerID: return person.managerID ?? ""
        case .workEmail: return person.workEmail ?? ""
        }
    }
}

import Foundation

/// A person a plan speaks about, as reports show them: the plan's changes carry only the
/// employee id and the login.
public struct PlanPerson: Sendable, Codable, Equatable {
    public let employeeID: String
    public let name: String
    public let department: String
    public let jobTitle: String
    /// The feed line the person was read from.
    public let source: String

    public init(
        employeeID: String, name: String, department: String, jobTitle: String, source: String
    ) {
        self.employeeID = employeeID
        self.name = name
        self.department = department
        self.jobTitle = jobTitle
        self.source = source
    }

    init(_ person: Person) {
        self.init(
            employeeID: person.employeeID, name: "\(person.displayFirstName) \(person.lastName)",
            department: person.department, jobTitle: person.jobTitle, source: person.source)
    }

    /// The people of the feed that some change or finding of the plan names, in employee-id
    /// order; the other 99 % of a large feed stay out of the report.
    public static func involved(in plan: Plan, feed: FeedSnapshot) -> [PlanPerson] {
        // A person's changes follow one another: one key per run of them, not per change
        // (an initial load has four changes a person).
        var keys: Set<String> = []
        var last: String?
        for index in plan.changes.indices {
            guard let id = plan.changes[index].employeeID, id != last else { continue }
            last = id
            keys.insert(Person.key(id))
        }
        keys.formUnion(plan.findings.compactMap { $0.employeeID.map(Person.key) })
        guard !keys.isEmpty else { return [] }

        var involved = feed.people.filter { keys.contains($0.key) }
        let found = Set(involved.map(\.key))
        // A quarantined row that still terminates someone has a person too.
        for record in feed.quarantined {
            guard let person = record.termination, keys.contains(person.key),
                !found.contains(person.key)
            else {
                continue
            }
            involved.append(person)
        }
        return Planner.inKeyOrder(involved).map(PlanPerson.init)
    }
}

extension Plan {
    /// The people by employee-id key, for the reports' lookups.
    public var peopleByKey: [String: PlanPerson] {
        Dictionary(people.map { (Person.key($0.employeeID), $0) }) { first, _ in first }
    }
}

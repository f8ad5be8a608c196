import Foundation

/// What the exceptions file does for one person on one date.
public struct ExceptionGrants: Sendable {
    /// Granted as if a role rule gave the group.
    public var granted: [AccessException] = []
    /// A privileged group for someone whose roles give no phishing-resistant level, under
    /// `exceptions.privileged: hold`: not granted, and a membership already there is kept.
    public var held: [AccessException] = []
    /// The same under `refuse` (the default): not granted.
    public var refused: [AccessException] = []
    /// Past their `until`: the group goes unless a rule grants it.
    public var ended: [AccessException] = []

    public init() {}

    public var heldGroups: Set<String> { Set(held.map(\.group)) }
}

extension AccountMapper {
    /// The exceptions file's entries for a person, in file order.
    public func exceptions(for person: Person) -> [AccessException] {
        exceptionsByPerson.isEmpty ? [] : exceptionsByPerson[person.key] ?? []
    }

    /// Sorts a person's exceptions on `date`. `level` is the MFA level their role rules give;
    /// an entry for a group the rules grant anyway does nothing.
    func exceptionGrants(
        _ person: Person, on date: LocalDate, level: MFALevel,
        ruleGroups: Set<String>
    ) -> ExceptionGrants {
        var grants = ExceptionGrants()
        for entry in exceptions(for: person) where !ruleGroups.contains(entry.group) {
            guard entry.holds(on: date) else {
                grants.ended.append(entry)
                continue
            }
            guard config.roles.isPrivileged(entry.group), level < .phishingResistant else {
                grants.granted.append(entry)
                continue
            }
            switch config.exceptions.privileged {
            case .refuse: grants.refused.append(entry)
            case .hold: grants.held.append(entry)
            }
        }
        return grants
    }
}

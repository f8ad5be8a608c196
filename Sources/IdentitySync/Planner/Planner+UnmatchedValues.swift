import Foundation

extension Planner {
    /// A department or job code that HR renamed matches no rule any more, and everyone with
    /// it quietly loses their role groups (and leaves their OU): only the budgets stopped the
    /// trial's 36 pharmacists. One `unmatched-hr-value` finding per such value counts the
    /// people and names the groups, so the plan says what happened. Read from the changes
    /// already planned: only movers who lose role groups and gain none are looked at.
    func reportUnmatchedValues(work: inout PlanningState) {
        let losers = peopleOnlyLosingRoleGroups(work)
        guard !losers.isEmpty else { return }

        var found: [String: (field: HRField, value: String, people: Int, groups: Set<String>)] = [:]
        for (key, groups) in losers {
            guard let person = work.feedPerson(key) else { continue }
            for field in [HRField.department, .jobCode]
            where grantsDependOn(field, groups, work: work) && !isMatched(field, of: person) {
                let value = AccountMapper.value(of: field, in: person)
                let slot = "\(field.rawValue)=\(value)"
                found[slot, default: (field, value, 0, [])].people += 1
                found[slot]?.groups.formUnion(groups)
            }
        }
        for (_, value) in found.sorted(by: { $0.key < $1.key }) {
            let people = value.people == 1
                ? "1 person with it loses role groups and gains"
                : "\(value.people) people with it lose role groups and gain"
            work.finding(.unmatchedHRValue, nil, nil,
                         "HR \(value.field.rawValue) '\(value.value)' is matched by no role or "
                            + "placement rule, and \(people) "
                            + "none this run (" + value.groups.sorted().joined(
                                separator: "; ") + "). If HR renamed "
                            + "the value, add the new one to the role and placement rules "
                            + "before this plan is applied; if these people really moved, "
                            + "nothing is wrong")
        }
    }

    /// Movers whose planned role-group changes are all removals, by key, with the groups.
    private func peopleOnlyLosingRoleGroups(_ work: PlanningState) -> [String: Set<String>] {
        let roleDNs = Set(work.roleGroups.map(\.dn.string))
        var removed: [String: Set<String>] = [:]
        var gaining: Set<String> = []
        for change in work.changes where change.category == .mover {
            guard change.kind == .removeFromGroup || change.kind == .addToGroup,
                  let id = change.employeeID, let group = change.target,
                  roleDNs.contains(group) else { continue }
            if change.kind == .addToGroup {
                gaining.insert(id)
            } else {
                removed[Person.key(id), default: []].insert(group)
            }
        }
        for id in gaining { removed[Person.key(id)] = nil }
        return removed
    }

    /// True when one of the groups (DNs) is granted only by rules that look at the field: a
    /// contractor who becomes an employee loses a group granted by worker type, and their job
    /// code is no cause of it; nor is a pharmacist's job code of losing ehr-users, which the
    /// pharmacy rule granted by department.
    private func grantsDependOn(_ field: HRField, _ groups: Set<String>,
                                work: PlanningState) -> Bool {
        work.roleGroups.contains { name, dn in
            guard groups.contains(dn.string) else { return false }
            let granting = config.roles.rules.filter { $0.groups.contains(name) }
            return !granting.isEmpty && granting.allSatisfy { $0.match[field] != nil }
        }
    }

    /// True when the field takes part in no rule, or some role or placement rule names the
    /// person's value for it.
    private func isMatched(_ field: HRField, of person: Person) -> Bool {
        let sets = config.roles.rules.compactMap { $0.match[field] }
            + config.mapping.placement.compactMap { $0.match[field] }
        guard !sets.isEmpty else { return true }
        let value = AccountMapper.value(of: field, in: person).lowercased()
        return sets.contains { $0.contains(value) }
    }
}

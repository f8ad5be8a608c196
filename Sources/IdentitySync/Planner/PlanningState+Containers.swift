import Foundation

/// The people a placement rule puts in a container that does not exist, as the plan holds
/// them: joiners are not created, and existing accounts are not moved.
struct HeldPlacement {
    var joiners: [String] = []
    var moves: [String] = []
}

/// A placement container that does not exist: every add and move into it would fail with 32
/// noSuchObject, night after night, and the group changes after them would be skipped. The
/// plan holds those people instead, and one finding per container says what to do.
extension PlanningState {
    func isMissing(_ container: DistinguishedName) -> Bool {
        !directory.missingContainers.isEmpty && directory.missingContainers.contains(container)
    }

    /// Notes the person when the placement rules put them in a missing container: a joiner
    /// not created (`chooseLogins` chose no login), or an account that stays where it is.
    mutating func noteHeldPlacement(_ person: Person, mapper: AccountMapper,
                                    account: ObservedAccount?) {
        guard !directory.missingContainers.isEmpty else { return }
        let container = mapper.container(for: person)
        guard isMissing(container), account?.dn.isChild(of: container) != true else { return }
        if account == nil {
            heldByContainer[container, default: HeldPlacement()].joiners.append(person.employeeID)
        } else {
            heldByContainer[container, default: HeldPlacement()].moves.append(person.employeeID)
        }
    }

    /// Takes in the people a share held.
    mutating func absorbHeld(_ held: [DistinguishedName: HeldPlacement]) {
        for (container, people) in held {
            heldByContainer[container, default: HeldPlacement()].joiners += people.joiners
            heldByContainer[container, default: HeldPlacement()].moves += people.moves
        }
    }

    /// One finding per missing container: the rules that name it, the people held, the fix.
    mutating func reportMissingContainers() {
        let containers = heldByContainer.sorted { $0.key.normalized < $1.key.normalized }
        for (container, held) in containers {
            let rules = config.mapping.placement.filter { $0.container == container }.map(\.name)
            var people: [String] = []
            if !held.joiners.isEmpty {
                people.append("not created: " + held.joiners.sorted().joined(separator: ", "))
            }
            if !held.moves.isEmpty {
                people.append("not moved: " + held.moves.sorted().joined(separator: ", "))
            }
            let named = rules.count == 1 ? "rule '\(rules[0])' puts"
                : "rules " + rules.map { "'\($0)'" }.joined(separator: ", ") + " put"
            finding(.containerMissing, nil, container.string,
                    "this container, where the placement \(named) people, does not exist in the "
                        + "directory, so their accounts are neither created nor moved here "
                        + "(\(people.joined(separator: "; "))). Create it (an organizationalUnit "
                        + "at this DN), or correct the rule's container")
        }
    }
}

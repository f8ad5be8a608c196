import Foundation
import IdentitySync
import LDAP

/// Group members held under an attribute option (`member;lang-de`).
///
/// slapd keeps such a value apart from plain `member`, yet a filter `(member=DN)` matches it
/// and memberOf counts it, so applications see the person in the group. A modify that deletes
/// the value from `member` does not touch it (16 noSuchAttribute when `member` lacks it): a
/// removal must name each attribute description that holds the value. Only groups that hold
/// such a value are kept here; a plain group costs nothing.
struct TaggedMembers {
    /// By group, by member (both normalized): the descriptions that hold the member's value,
    /// plain `member` among them where it holds the value too.
    private var holders: [String: [String: [String]]] = [:]

    var isEmpty: Bool { holders.isEmpty }

    /// Notes one group's values held under options; `plain` is the set of members held by
    /// `member` itself.
    mutating func note(group: String, plain: Set<String>,
                       tagged: [(description: String, members: [String])]) {
        var held: [String: [String]] = [:]
        for (description, members) in tagged {
            for member in members { held[member, default: []].append(description) }
        }
        for (member, descriptions) in held where plain.contains(member) {
            held[member] = ["member"] + descriptions
        }
        holders[group, default: [:]].merge(held) { $1 }
    }

    /// The modification that adds `add` and removes `remove` from the group, each removal
    /// from every description that holds it; nil when no removal is held under an option.
    func modifications(group: String, add: [String], remove: [String]) -> [Modification]? {
        guard let normalized = try? DistinguishedName.normalize(group),
              let held = holders[normalized] else { return nil }

        var byDescription: [String: [String]] = [:]
        var tagged = false
        for member in remove {
            let key = (try? DistinguishedName.normalize(member)) ?? member
            let descriptions = held[key] ?? ["member"]
            tagged = tagged || descriptions != ["member"]
            for description in descriptions {
                byDescription[description, default: []].append(member)
            }
        }
        guard tagged else { return nil }

        // Plain `member` sorts first, then each option in a stable order.
        var mods = add.isEmpty ? [] : [Modification(.add, "member", add)]
        for description in byDescription.keys.sorted() {
            mods.append(Modification(.delete, description, byDescription[description]!))
        }
        return mods
    }
}

extension OpenLDAPDirectory {
    /// The request for one operation. A removal of a member held under an option deletes the
    /// value from each description that holds it, as the observe or the lookup found it.
    func translated(_ operation: DirectoryOperation) -> Translated {
        guard !taggedMembers.isEmpty,
              case .groupMembers(let group, let add, let remove) = operation, !remove.isEmpty,
              let mods = taggedMembers.modifications(group: group, add: add, remove: remove) else {
            return request(for: operation)
        }
        return Translated(request: .modify(dn: group, modifications: mods), lockAfter: false)
    }

    /// Reads a group found to hold a member under an option, whole, and notes where each
    /// member is held. Only such groups are read: they are rare, and a plain group of the
    /// whole staff would send every DN it holds.
    func noteTaggedMembers(of group: DistinguishedName) throws {
        guard let entry = try connection.read(dn: group.string, attributes: ["member"]) else {
            return
        }
        let normalized = { (values: [String]) in
            values.compactMap { try? DistinguishedName.normalize($0) }
        }
        var tagged: [(description: String, members: [String])] = []
        for (name, values) in zip(entry.names, entry.valueLists) where name.hasPrefix("member;") {
            tagged.append((name, normalized(values)))
        }
        taggedMembers.note(group: group.normalized, plain: Set(normalized(entry.values("member"))),
                           tagged: tagged)
    }
}

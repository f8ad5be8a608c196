import Foundation

/// Members of managed groups that are no idsync account: a service entry, or a DN no entry
/// has, put in by hand. idsync does not own them, so it does not remove them, but it names
/// them: a member of a group that grants access nobody planned is the kind of thing an
/// access review looks for.
extension PlanningState {
    /// One finding per managed group with such members: `foreign-member`, or
    /// `foreign-privileged-member` where the group demands phishing-resistant MFA.
    mutating func reportForeignMembers() {
        guard hasForeignMembers() else { return }

        let placeholder = config.directory.placeholderMember.normalized
        let accounts = Set(directory.accounts.lazy.map(\.dn.normalized))
        for (name, group) in roleGroups {
            let strangers = (members[group] ?? []).filter {
                $0 != placeholder && !accounts.contains($0)
            }
            guard !strangers.isEmpty else { continue }
            let strict = isStrict(name)
            finding(strict ? .foreignPrivilegedMember : .foreignMember, nil, group.string,
                    "\(strangers.count) member(s) of this managed group are no account idsync "
                        + "manages (an entry outside the people subtree, or a DN no entry "
                        + "has): \(strangers.sorted().joined(separator: "; ")). idsync does "
                        + "not remove them. "
                        + (strict ? "The group demands phishing-resistant MFA, which nothing "
                            + "checks for these members: remove them, or " : "Remove them, or ")
                        + "grant them through a role rule or an exception")
        }
    }

    /// True when the role groups hold a member that is no account nor the placeholder. The
    /// members are indexed already (`indexMemberships`): where every member of a role group
    /// is an account, one lookup per account shows it, and nothing else is built.
    private func hasForeignMembers() -> Bool {
        guard let index = membershipIndex, roleGroups.count <= watched.count else { return true }
        var mask: UInt64 = 0
        for (slot, group) in watched.enumerated()
        where roleGroups.contains(where: { $0.dn == group.dn }) {
            mask |= 1 << UInt64(slot)
        }
        var expected = index.values.reduce(0) { $0 + ($1 & mask != 0 ? 1 : 0) }
        if (index[config.directory.placeholderMember.normalized] ?? 0) & mask != 0 {
            expected -= 1
        }
        let found = directory.accounts.reduce(0) {
            $0 + ((index[$1.dn.normalized] ?? 0) & mask != 0 ? 1 : 0)
        }
        return found < expected
    }

    /// True when a rule that grants the group demands phishing-resistant MFA, or the group
    /// is listed as privileged.
    private func isStrict(_ group: String) -> Bool {
        config.roles.privilegedGroups.contains(group)
            || config.roles.rules.contains {
                $0.groups.contains(group) && $0.mfa == .phishingResistant
            }
    }
}

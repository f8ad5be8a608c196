import Foundation

/// Per-target fingerprints: for each entry or membership a plan's change acts on, a hash of
/// what the directory showed about it when the plan was made.
///
/// A saved plan is applied only if none of its targets moved in between. The whole
/// directory's fingerprint changes with every password change anywhere, so it tells that
/// something moved, not whether it is something this plan touches.
public enum TargetFingerprints {
    /// What a target looks like when it is not there.
    static let absent = "absent"

    /// The keys of what `change` acts on: its entry, a move's new DN, a membership.
    public static func keys(of change: Change) -> [String] {
        var keys = ["entry:" + normalized(change.dn)]
        switch change.kind {
        case .move:
            if let target = change.target { keys.append("entry:" + normalized(target)) }
        case .createGroup:
            break
        default:
            if let group = change.target, change.kind.isGroupMembership {
                keys.append("member:" + normalized(group) + "|" + normalized(change.dn))
            }
        }
        return keys
    }

    /// The fingerprint of every target of `changes`, as `directory` shows it, by key.
    public static func compute(
        _ changes: [Change], directory: ObservedDirectory
    ) -> [String: String] {
        let wanted = Set(changes.flatMap(keys(of:)))
        guard !wanted.isEmpty else { return [:] }

        var entries: [String: String] = [:]
        for account in directory.accounts where wanted.contains("entry:" + account.dn.normalized) {
            entries["entry:" + account.dn.normalized] = fingerprint(account)
        }
        for dn in directory.groups.keys where wanted.contains("entry:" + dn.normalized) {
            entries["entry:" + dn.normalized] = SHA256.hex(text: "group\u{0}" + dn.normalized)
        }
        var result: [String: String] = [:]
        for key in wanted {
            if key.hasPrefix("entry:") {
                result[key] = entries[key] ?? absent
            } else {
                result[key] = membership(key, directory: directory)
            }
        }
        return result
    }

    /// The targets whose fingerprint in `saved` differs from `now`, in key order.
    public static func moved(saved: [String: String], now: [String: String]) -> [String] {
        saved.keys.sorted().filter { now[$0] != saved[$0] }
    }

    private static func membership(_ key: String, directory: ObservedDirectory) -> String {
        let parts = key.dropFirst("member:".count).split(separator: "|", maxSplits: 1).map(
            String.init)
        guard parts.count == 2, let dn = try? DistinguishedName(parsing: parts[0]),
            let group = directory.groups[dn]
        else { return absent }
        return group.members.contains(parts[1]) ? "member" : "not-member"
    }

    /// A hash of the entry as observed: DN, every kept attribute, the lock and the state.
    static func fingerprint(_ account: ObservedAccount) -> String {
        var text = account.dn.normalized
        for name in account.attributes.names {
            text +=
                "\u{0}" + name + "="
                + (account.attributes[name] ?? []).sorted().joined(separator: "\u{1}")
        }
        text += "\u{0}lock=\(account.lock)\u{0}state=" + (account.state?.stored ?? "")
        return SHA256.hex(text: text)
    }

    static func normalized(_ dn: String) -> String {
        (try? DistinguishedName.normalize(dn)) ?? dn.lowercased()
    }
}

extension SHA256 {
    /// The hex digest of a string's UTF-8 bytes.
    static func hex(text: String) -> String { hex(text.utf8) }

    /// The digest of a string's UTF-8 bytes, 32 bytes.
    static func digest(of text: String) -> [UInt8] {
        var hash = SHA256()
        hash.update(text.utf8)
        return hash.digest()
    }
}

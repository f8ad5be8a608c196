import Foundation
import IdentitySync
import LDAP

extension OpenLDAPDirectory {
    /// Which configured credential attributes each entry of the people subtree holds, by
    /// the DN as the server writes it. A typesOnly search: names come back, values never do.
    /// An attribute type the schema lacks (sambaNTPassword without the Samba schema) matches
    /// nothing and is never reported present.
    func observeCredentials() throws -> [String: [String]] {
        let names = credentials.names
        guard !names.isEmpty else { return [:] }
        var present: [String: [String]] = [:]
        let filter = "(|" + names.map { "(\($0)=*)" }.joined() + ")"
        try connection.search(
            base: config.people.string, scope: .subtree, filter: filter, attributes: names,
            pageSize: config.pageSize, typesOnly: true
        ) { entry in
            let held = entry.names.filter { credentials.configured($0) != nil }.sorted()
            if !held.isEmpty { present[entry.dn] = held }
        }
        return present
    }

    /// The modify items that take credentials away. The password is replaced, not deleted,
    /// with `{CRYPT}!` and random text: no crypt(3) hash starts with `!`, so no password
    /// matches it, and systems that expect the attribute still find one. The others are
    /// replaced with no values, which removes them and is no error if one went meanwhile.
    ///
    /// slapd's ppolicy deletes pwdAccountLockedTime whenever userPassword changes, unless
    /// the same modify sets the lock (tried on slapd 2.5): so the lock goes along with it.
    func credentialModifications(_ wipe: [String], lock: DirectoryOperation.Lock?) -> [Modification]
    {
        var mods: [Modification] = []
        var password = false
        for name in wipe {
            if name.split(separator: ";").first?.lowercased() == "userpassword" {
                mods.append(Modification(.replace, name, [OpenLDAPDirectory.unusablePassword()]))
                password = true
            } else {
                mods.append(Modification(.replace, name, []))
            }
        }
        if password, lock == nil {
            mods.append(
                Modification(
                    .replace, OpenLDAPDirectory.lockAttribute, [OpenLDAPDirectory.permanentLock]))
        }
        return mods
    }

    /// `{CRYPT}!` and 32 random hex digits, different on every disable.
    static func unusablePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<4).map { _ in
            String(format: "%08x", UInt32.random(in: 0 ... .max, using: &generator))
        }
        return "{CRYPT}!" + digits.joined()
    }

    /// The failure of a disable that carried a wipe, when the reply came: the modify is all
    /// or nothing, so the lock did not happen either (an ACL that denies userPassword, say).
    static func failedWipe(
        _ operation: DirectoryOperation,
        _ result: Result<Void, DirectoryFailure>
    ) -> DirectoryFailure? {
        guard case .failure(let failure) = result, !failure.outcomeUnknown,
            case .update(_, _, _, _, let wipe) = operation, !wipe.isEmpty
        else { return nil }
        return failure
    }

    /// The outcome of the lock sent alone after `wipeFailure`: still a failure, so the run
    /// exits 1 and the report says the account is locked but holds its credentials.
    static func lockedWithoutWipe(
        _ wipeFailure: DirectoryFailure?,
        _ result: Result<Void, DirectoryFailure>
    ) -> Result<Void, DirectoryFailure> {
        guard let wipeFailure else { return result }
        guard case .success = result else { return result }
        return .failure(
            DirectoryFailure(
                code: wipeFailure.code,
                message: "locked, but the credentials were "
                    + "not taken and idsync's state was not written: \(wipeFailure.message)"))
    }
}

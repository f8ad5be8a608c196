import Foundation
import IdentitySync
import LDAP

extension OpenLDAPDirectory {
    struct Translated {
        let request: LDAPRequest
        /// An entry created disabled: its lock follows once the add succeeded.
        let lockAfter: Bool
    }

    /// The LDAP request for one directory operation.
    func request(for operation: DirectoryOperation) -> Translated {
        switch operation {
        case .create(let dn, let attributes, let state, let locked):
            var values = attributes.map { ($0.name, $0.after) }
            if !state.isEmpty { values.append((config.stateAttribute, [state])) }
            return Translated(request: .add(dn: dn, attributes: values), lockAfter: locked)
        case .update(let dn, let attributes, let state, let lock, let wipe):
            let mods = modifications(attributes, state, lock) + credentialModifications(wipe, lock: lock)
            return Translated(request: .modify(dn: dn, modifications: mods), lockAfter: false)
        case .rename(let dn, let newDN):
            return Translated(request: rename(dn, to: newDN), lockAfter: false)
        case .createGroup(let dn, let members):
            let name = (try? DistinguishedName(parsing: dn))?.rdns.first?.first?.value ?? dn
            return Translated(request: .add(dn: dn, attributes: [("objectClass", ["groupOfNames"]), ("cn", [name]),
                                                                 ("member", members)]), lockAfter: false)
        case .groupMembers(let group, let add, let remove):
            var mods: [Modification] = []
            if !add.isEmpty { mods.append(Modification(.add, "member", add)) }
            if !remove.isEmpty { mods.append(Modification(.delete, "member", remove)) }
            return Translated(request: .modify(dn: group, modifications: mods), lockAfter: false)
        }
    }

    /// objectClass values are added, never replaced; other attributes are replaced with
    /// their new values, or removed when the template now renders nothing.
    private func modifications(_ edits: [AttributeEdit], _ state: String?,
                               _ lock: DirectoryOperation.Lock?) -> [Modification] {
        var mods: [Modification] = []
        for edit in edits {
            if edit.name.lowercased() == "objectclass" {
                let new = edit.after.filter { value in !edit.before.contains { $0.lowercased() == value.lowercased() } }
                if !new.isEmpty { mods.append(Modification(.add, edit.name, new)) }
            } else if edit.after.isEmpty {
                if !edit.before.isEmpty { mods.append(Modification(.delete, edit.name)) }
            } else {
                mods.append(Modification(.replace, edit.name, edit.after))
            }
        }
        if let state { mods.append(Modification(.replace, config.stateAttribute, [state])) }
        switch lock {
        case .lock?:
            mods.append(Modification(.replace, OpenLDAPDirectory.lockAttribute, [OpenLDAPDirectory.permanentLock]))
        case .unlock?: mods.append(Modification(.delete, OpenLDAPDirectory.lockAttribute))
        case nil: break
        }
        return mods
    }

    private func rename(_ dn: String, to newDN: String) -> LDAPRequest {
        guard let target = try? DistinguishedName(parsing: newDN), let first = target.rdns.first else {
            return .rename(dn: dn, newRDN: newDN, newSuperior: nil, deleteOldRDN: true)
        }
        let rdn = DistinguishedName(rdns: [first]).string
        return .rename(dn: dn, newRDN: rdn, newSuperior: target.parent?.string, deleteOldRDN: true)
    }
}

/// Proves that the directory rewrites group members when an entry is renamed, by doing
/// it once on a scratch entry and group that are removed again afterwards.
struct ReferentialIntegrityProbe {
    let connection: LDAPConnection
    let config: DirectoryConfig

    func run() throws {
        let tag = "idsync-refint-probe-\(UInt32.random(in: 0 ... .max))"
        let person = config.people.child("uid", tag)
        let renamed = config.people.child("uid", tag + "-moved")
        let group = config.groups.child("cn", tag)
        defer {
            for dn in [renamed, person, group] { try? connection.perform(.delete(dn: dn.string)) }
        }
        try connection.perform(.add(dn: person.string, attributes: [
            ("objectClass", ["inetOrgPerson"]), ("uid", [tag]), ("cn", [tag]), ("sn", [tag])]))
        try connection.perform(.add(dn: group.string, attributes: [
            ("objectClass", ["groupOfNames"]), ("cn", [tag]), ("member", [person.string])]))
        try connection.perform(.rename(dn: person.string, newRDN: "uid=\(tag)-moved", newSuperior: nil,
                                       deleteOldRDN: true))
        let members = try connection.read(dn: group.string, attributes: ["member"])?.values("member") ?? []
        guard members.contains(where: { (try? DistinguishedName(parsing: $0)) == renamed }) else {
            throw RefintError()
        }
    }
}

public struct RefintError: Error, CustomStringConvertible {
    public var description: String {
        "the directory did not rewrite group members on rename (no referential integrity: load slapd's "
            + "refint overlay on member); placement rules are refused until it does"
    }
}

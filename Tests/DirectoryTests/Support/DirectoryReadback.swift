import Foundation
import LDAP
import Testing

/// Reading a TestSlapd back as the rootdn, which no size limit or ACL hides anything from.
extension TestSlapd {
    func adminConnection() throws -> LDAPConnection {
        try connection(dn: adminDN, password: adminPassword)
    }

    /// Every entry matching `filter` in the naming context, with the user attributes and the
    /// operational ones idsync's outcomes show in: memberOf and the ppolicy lock.
    func entries(_ filter: String = "(objectClass=*)") throws -> [LDAPEntry] {
        var found: [LDAPEntry] = []
        try adminConnection().search(base: base, scope: .subtree, filter: filter,
                                     attributes: ["*", "memberOf", "pwdAccountLockedTime"]) { found.append($0) }
        return found
    }

    /// How many entries match `filter`, read without attributes (cheap enough to poll).
    func count(_ filter: String, on connection: LDAPConnection) throws -> Int {
        var count = 0
        try connection.search(base: base, scope: .subtree, filter: filter, attributes: ["1.1"]) { _ in count += 1 }
        return count
    }

    /// The one entry whose uid is `uid`, anywhere in the tree.
    func person(uid: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LDAPEntry {
        let found = try entries("(uid=\(LDAPFilter.escape(uid)))")
        #expect(found.count == 1, "\(found.count) entries with uid \(uid)", sourceLocation: sourceLocation)
        return try #require(found.first, sourceLocation: sourceLocation)
    }

    /// The entry whose employeeNumber is `id`.
    func person(employeeID id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LDAPEntry {
        let found = try entries("(employeeNumber=\(LDAPFilter.escape(id)))")
        #expect(found.count == 1, "\(found.count) entries with employeeNumber \(id)", sourceLocation: sourceLocation)
        return try #require(found.first, sourceLocation: sourceLocation)
    }

    /// The normalized member DNs of the group `cn=NAME,ou=groups,…`; nil if it does not exist.
    func members(of name: String) throws -> Set<String>? {
        let entry = try adminConnection().read(dn: "cn=\(name),\(groups)", attributes: ["member"])
        return try entry.map { Set(try $0.values("member").map(LDAPDN.normalize)) }
    }

    /// The whole naming context as sorted text, one line per DN and value, DNs and DN values
    /// normalized: what two directories must agree on to hold the same state. userPassword is
    /// left out (the service passwords are random per slapd).
    func dump() throws -> [String] {
        var lines: [String] = []
        for entry in try entries() {
            let dn = try LDAPDN.normalize(entry.dn)
            for (name, values) in entry.attributes where name.lowercased() != "userpassword" {
                let dnValued = ["member", "memberof", "manager"].contains(name.lowercased())
                for value in values {
                    lines.append("\(dn) \(name.lowercased()): \(dnValued ? try LDAPDN.normalize(value) : value)")
                }
            }
        }
        return lines.sorted()
    }

    /// A simple bind as `dn`; nil when it worked, else the LDAP result code.
    func bindFailure(dn: String, password: String) -> Int32? {
        do {
            _ = try connection(dn: dn, password: password)
            return nil
        } catch let error as LDAPError {
            return error.code
        } catch {
            return -1
        }
    }

    /// Sets the password of `dn` with ldappasswd as the rootdn; the new password goes in a file.
    func setPassword(_ password: String, for dn: String) throws {
        let file = "\(dir)/user-\(UUID().uuidString).pw"
        FileManager.default.createFile(atPath: file, contents: Data(password.utf8),
                                       attributes: [.posixPermissions: 0o600])
        let status = try Self.run("/usr/bin/ldappasswd",
                                  ["-x", "-H", url, "-D", adminDN, "-y", "\(dir)/admin.pw", "-T", file, dn],
                                  output: "\(dir)/passwd.out")
        guard status == 0 else {
            throw TestSlapdError("ldappasswd exited \(status): \(Self.contents("\(dir)/passwd.out"))")
        }
    }

    /// Applies `ldif` (changetype records) with ldapmodify as the rootdn.
    func modifyLDIF(_ ldif: String) throws {
        let file = "\(dir)/modify-\(UUID().uuidString).ldif"
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        let status = try Self.run("/usr/bin/ldapmodify",
                                  ["-x", "-H", url, "-D", adminDN, "-y", "\(dir)/admin.pw", "-f", file],
                                  output: "\(dir)/modify.out")
        guard status == 0 else {
            throw TestSlapdError("ldapmodify exited \(status): \(Self.contents("\(dir)/modify.out"))")
        }
    }
}

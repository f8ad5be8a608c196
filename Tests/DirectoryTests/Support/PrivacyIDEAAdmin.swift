@testable import Connectors
import Foundation
import HTTP
import Testing
import TestSupport

/// The test's own admin client for the shared privacyIDEA: sets up a realm on a TestSlapd,
/// enrols tokens the way a help desk would, and checks OTPs at /validate/check.
final class PrivacyIDEAAdmin {
    let server: TestPrivacyIDEA
    let realm: String
    let resolver: String
    private let client = HTTPClient()
    private var jwt = ""

    /// A realm and an LDAP resolver of this test's own on `slapd`. The resolver's user id is
    /// the uid, and it hides locked accounts, as a site would so that leavers cannot log in,
    /// unless `showsLocked` (a site that did not, where a help desk can still assign them tokens).
    init(slapd: TestSlapd, label: String, showsLocked: Bool = false) throws {
        server = try TestPrivacyIDEA.start()
        realm = "realm-\(label)"
        resolver = "ldap-\(label)"
        jwt = try #require(JSONObjectValue(try call("POST", "/auth", ["username": "admin",
                                                                       "password": server.adminPassword]))?["token"]
                           as? String)
        let reader = try String(contentsOfFile: slapd.dir + "/reader.pw", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let userInfo = #"{"username": "uid", "givenname": "givenName", "surname": "sn", "email": "mail"}"#
        _ = try call("POST", "/resolver/\(resolver)", [
            "type": "ldapresolver", "LDAPURI": String(slapd.url.dropLast()), "LDAPBASE": "ou=people,dc=example,dc=org",
            "BINDDN": slapd.readerDN, "BINDPW": reader, "AUTHTYPE": "Simple", "LOGINNAMEATTRIBUTE": "uid",
            "LDAPSEARCHFILTER": showsLocked ? "(objectClass=inetOrgPerson)"
                : "(&(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))",
            "USERINFO": userInfo, "UIDTYPE": "uid", "SCOPE": "SUBTREE", "TIMEOUT": "5", "SIZELIMIT": "500",
            "CACHE_TIMEOUT": "0", "NOREFERRALS": "True",
        ])
        _ = try call("POST", "/realm/\(realm)", ["resolvers": resolver])
    }

    /// An editable SQL resolver on a SQLite file of its own in `dir` (the table privacyIDEA's
    /// `create_internal` would make) and a realm with only it: where privacyIDEA keeps the users
    /// itself and idsync's `create_users` adds joiners. Returns the realm, resolver and file.
    func addSQLRealm(in dir: String) throws -> (realm: String, resolver: String, database: String) {
        let database = dir + "/pi-users-\(realm).sqlite"
        let table = "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(40) UNIQUE, "
            + "email VARCHAR(80), password VARCHAR(255), phone VARCHAR(40), mobile VARCHAR(40), "
            + "surname VARCHAR(40), givenname VARCHAR(40), description VARCHAR(255));"
        let made = try TestSlapd.run(executable: "/usr/bin/sqlite3", arguments: [database, table])
        guard made.status == 0 else { throw TestSlapdError("sqlite3: \(made.stderr)") }
        let map = #"{"userid": "id", "username": "username", "email": "email", "password": "password", "#
            + #""phone": "phone", "mobile": "mobile", "surname": "surname", "givenname": "givenname", "#
            + #""description": "description"}"#
        let sqlResolver = "sql-" + resolver
        // privacyIDEA joins Driver://Server/Database: a relative Database after Server "/" is absolute.
        _ = try call("POST", "/resolver/\(sqlResolver)", [
            "type": "sqlresolver", "Driver": "sqlite", "Server": "/", "Database": String(database.dropFirst()),
            "Table": "users", "Limit": "500", "Editable": "1", "Map": map,
        ])
        let sqlRealm = "sql-" + realm
        _ = try call("POST", "/realm/\(sqlRealm)", ["resolvers": sqlResolver])
        return (sqlRealm, sqlResolver, database)
    }

    /// A user added by hand (the help desk) to the editable resolver.
    func addUser(_ login: String, resolver: String, realm: String) throws {
        _ = try call("POST", "/user/", ["user": login, "resolver": resolver, "realm": realm,
                                        "givenname": "Hand", "surname": "Made"])
    }

    /// The users of `realm` named `login`, as /user/ lists them.
    func users(_ login: String, realm: String) throws -> [[String: Any]] {
        try call("GET", "/user/?realm=\(realm)&username=\(login)", nil) as? [[String: Any]] ?? []
    }

    /// The idsync.yaml block of a privacyidea connector on this realm.
    func connectorYAML(name: String = "pi", passwordFile: String? = nil, userID: Bool = true) -> String {
        """
        mfa:
          connectors:
            - name: \(name)
              type: privacyidea
              url: \(server.base)
              admin_user: admin
              password_file: \(passwordFile ?? server.passwordFile)
              realm: \(realm)
              resolver: \(resolver)
        \(userID ? "      user_id: login" : "")
        """
    }

    /// An HOTP token with a known key (RFC 4226's test key), so the test can compute its OTPs.
    func enrollHOTP(_ login: String, serial: String, realm: String? = nil) throws {
        _ = try call("POST", "/token/init", ["type": "hotp", "otpkey": PrivacyIDEAAdmin.hotpKey, "user": login,
                                            "realm": realm ?? self.realm, "serial": serial])
    }

    /// A TOTP token (30-second steps, SHA-1, 6 digits) with the same known key.
    func enrollTOTP(_ login: String, serial: String) throws {
        _ = try call("POST", "/token/init", ["type": "totp", "otpkey": PrivacyIDEAAdmin.hotpKey, "user": login,
                                            "realm": realm, "serial": serial, "timeStep": "30"])
    }

    /// RFC 6238 TOTP of `hotpKey` for the time step `steps` after the current one.
    static func totp(stepsAhead steps: Int = 0) -> String {
        let counter = UInt64(Date().timeIntervalSince1970 / 30) + UInt64(steps)
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let key = stride(from: 0, to: hotpKey.count, by: 2).map {
            UInt8(hotpKey.dropFirst($0).prefix(2), radix: 16)!
        }
        let mac = HMACSHA1.mac(key: key, message: message)
        let offset = Int(mac[19] & 0x0f)
        let value = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let code = String(value % 1_000_000)
        return String(repeating: "0", count: 6 - code.count) + code
    }

    /// How many failed attempts lock the token (privacyIDEA's default is 10).
    func setMaxFail(_ serial: String, _ limit: Int) throws {
        _ = try call("POST", "/token/set", ["serial": serial, "max_failcount": limit])
    }

    /// A certificate token, as a smart card's certificate is registered.
    func enrollCertificate(_ login: String, serial: String, pem: String) throws {
        _ = try call("POST", "/token/init", ["type": "certificate", "certificate": pem, "user": login,
                                            "realm": realm, "serial": serial])
    }

    /// A passkey enrolled for real by scripts/soft-passkey.py, a software FIDO2 authenticator
    /// (attestation none, a key thrown away). Returns the serial privacyIDEA gave it.
    func enrollPasskey(_ login: String) throws -> String {
        // Relying party "localhost", for this realm only; enrollment policies limit nothing else.
        _ = try call("POST", "/policy/fido2-\(realm)", [
            "scope": "enrollment", "realm": realm, "active": true,
            "action": "webauthn_relying_party_id=localhost, webauthn_relying_party_name=idsync test",
        ])
        let python = TestPrivacyIDEA.packageRoot + "/.venv-privacyidea/bin/python"
        let script = TestPrivacyIDEA.packageRoot + "/scripts/soft-passkey.py"
        let output = try TestSlapd.run(executable: python, arguments: [script, server.base, login, realm],
                                       environment: ["IDSYNC_PI_JWT": jwt])
        guard output.status == 0 else { throw TestSlapdError("soft-passkey.py: \(output.stderr)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The user's tokens as privacyIDEA lists them: serial → (type, revoked).
    func tokens(serial: String) throws -> [String: Any]? {
        let value = JSONObjectValue(try call("GET", "/token/?serial=\(serial)", nil))
        return (value?["tokens"] as? [[String: Any]])?.first
    }

    /// How many bulk listings of this realm's tokens (idsync's reconciliation) the server has
    /// logged so far: one line per page.
    func bulkListingCalls() throws -> Int {
        let log = try String(contentsOfFile: server.logFile, encoding: .utf8)
        return log.split(separator: "\n").filter { $0.contains("GET /token/?tokenrealm=\(realm)&") }.count
    }

    /// True when /validate/check accepts the OTP for the user.
    func accepts(_ login: String, otp: String, realm: String? = nil) throws -> Bool {
        try validate(["user": login, "realm": realm ?? self.realm, "pass": otp])
    }

    /// True when /validate/check accepts the OTP for the token: this works for a user the
    /// resolver no longer shows.
    func accepts(serial: String, otp: String) throws -> Bool {
        try validate(["serial": serial, "pass": otp])
    }

    private func validate(_ body: [String: Any]) throws -> Bool {
        let request = try HTTPRequest.json("POST", server.base + "/validate/check", object: body)
        let response = try client.send(request)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let result = object?["result"] as? [String: Any]
        return response.status == 200 && (result?["value"] as? Bool) == true
    }

    static let hotpKey = "3132333435363738393031323334353637383930"

    /// RFC 4226 HOTP of `hotpKey` (SHA-1, 6 digits): counter 0 = 755224, 1 = 287082.
    static func hotp(_ counter: Int) -> String {
        ["755224", "287082", "359152", "969429", "338314", "254676"][counter]
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]?) throws -> Any {
        var request = try body.map { try HTTPRequest.json(method, server.base + path, object: $0) }
            ?? HTTPRequest(method: method, url: server.base + path)
        if !jwt.isEmpty { request.headers.append((name: "Authorization", value: jwt)) }
        let response = try client.send(request)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let result = object?["result"] as? [String: Any]
        guard response.status == 200, result?["status"] as? Bool == true else {
            throw TestSlapdError("privacyIDEA \(method) \(path): HTTP \(response.status) \(response.text.prefix(300))")
        }
        return result?["value"] ?? NSNull()
    }
}

private func JSONObjectValue(_ value: Any) -> [String: Any]? { value as? [String: Any] }

/// A self-signed certificate for `name`, made by openssl in `dir`.
func selfSignedCertificate(_ name: String, in dir: String) throws -> String {
    let out = dir + "/\(name).crt"
    let output = try TestSlapd.run(executable: "/usr/bin/openssl", arguments: [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(name)", "-days", "2",
        "-keyout", dir + "/\(name).key", "-out", out,
    ])
    guard output.status == 0 else { throw TestSlapdError("openssl: \(output.stderr)") }
    return try String(contentsOfFile: out, encoding: .utf8)
}

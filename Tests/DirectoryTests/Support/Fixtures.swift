import LDAP

let people = "ou=people,dc=example,dc=org"
let groups = "ou=groups,dc=example,dc=org"

extension TestSlapd {
    /// A connection bound as the idsync service identity.
    func serviceConnection() throws -> LDAPConnection {
        try connection(dn: serviceDN, password: servicePassword)
    }

    func readerConnection() throws -> LDAPConnection {
        try connection(dn: readerDN, password: readerPassword)
    }

    func connection(dn: String, password: String) throws -> LDAPConnection {
        let connection = try LDAPConnection(url: url, networkTimeout: 5, operationTimeout: 30)
        try connection.bind(dn: dn, password: password)
        return connection
    }
}

/// The DN of the person with `uid` under ou=people.
func personDN(_ uid: String) -> String {
    "uid=\(LDAPDN.escapeValue(uid)),\(people)"
}

/// An inetOrgPerson add request; `password` is stored as given (test data only).
func addPerson(_ uid: String, cn: String? = nil, password: String? = nil) -> LDAPRequest {
    var attributes: [(String, [String])] = [
        ("objectClass", ["inetOrgPerson"]),
        ("uid", [uid]),
        ("cn", [cn ?? "Person \(uid)"]),
        ("sn", ["Test"]),
    ]
    if let password {
        attributes.append(("userPassword", [password]))
    }
    return .add(dn: personDN(uid), attributes: attributes)
}

/// Adds all `requests` in one pipeline and fails the test (by throwing) if any of them failed.
func performAll(_ requests: [LDAPRequest], on connection: LDAPConnection) throws {
    var failures: [String] = []
    try connection.perform(requests, window: 64) { index, result in
        if case .failure(let error) = result {
            failures.append("#\(index): \(error)")
        }
    }
    guard failures.isEmpty else {
        throw TestSlapdError("\(failures.count) writes failed, first: \(failures[0])")
    }
}

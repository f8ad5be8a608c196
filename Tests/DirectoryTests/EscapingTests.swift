import LDAP
import Testing

let hostileValues = [
    "Smith, John", "a+b", "\"q\"", "back\\slash", "<x>", "semi;colon", "#hash", " lead",
    "trail ", "*)(uid=*", "Zoë Ångström",
]

@Suite struct EscapingTests {
    @Test func hostileValuesSurviveAddAndEqualitySearchAsExactlyOneMatch() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        try performAll(hostileValues.enumerated().map { index, value in
            .add(dn: "cn=\(LDAPDN.escapeValue(value)),\(people)", attributes: [
                ("objectClass", ["inetOrgPerson"]), ("cn", [value]), ("sn", [value]),
                ("uid", ["u\(index)"]),
            ])
        }, on: connection)

        for value in hostileValues {
            var found: [LDAPEntry] = []
            try connection.search(base: people, scope: .oneLevel,
                                  filter: LDAPFilter.equality("cn", value),
                                  attributes: ["cn"]) { found.append($0) }

            #expect(found.count == 1, "\(value.debugDescription) matched \(found.count)")
            #expect(found.first?.values("cn") == [value])
            let rdn = try LDAPDN.parse(found.first?.dn ?? "").first
            #expect(rdn?.first?.value == value)
        }
    }

    @Test(arguments: [
        ("a*b", "a\\2ab"), ("(x)", "\\28x\\29"), ("back\\slash", "back\\5cslash"),
        ("nul\0", "nul\\00"), ("Zoë", "Zoë"), ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),
    ])
    func filterEscapeEncodesTheFiveSpecialCharacters(value: String, escaped: String) {
        #expect(LDAPFilter.escape(value) == escaped)
    }

    @Test func equalityWrapsTheEscapedValue() {
        #expect(LDAPFilter.equality("uid", "a*") == "(uid=a\\2a)")
    }

    @Test(arguments: [
        ("Smith, John", "Smith\\2C John"), ("#hash", "\\23hash"), (" lead", "\\20lead"),
        ("trail ", "trail\\20"), ("a+b", "a\\2Bb"), ("Zoë Ångström", "Zoë Ångström"),
    ])
    func dnEscapeValueFollowsRFC4514(value: String, escaped: String) {
        #expect(LDAPDN.escapeValue(value) == escaped)
    }

    @Test func dnParseReturnsRawValuesLeafFirst() throws {
        let rdns = try LDAPDN.parse("cn=Smith\\, John+uid=js,ou=People,dc=example")

        #expect(rdns.count == 3)
        #expect(rdns[0].map(\.type) == ["cn", "uid"])
        #expect(rdns[0].map(\.value) == ["Smith, John", "js"])
        #expect(rdns[2].first?.value == "example")
    }

    @Test func dnParseRejectsAnEmptyRDN() {
        #expect(throws: LDAPError.self) { try LDAPDN.parse("uid=bad,,dc=x") }
    }

    @Test func normalizeMakesEqualDNsEqualStrings() throws {
        let left = try LDAPDN.normalize("CN=Smith\\, John , OU=People,dc=Example")
        let right = try LDAPDN.normalize("cn=smith\\2c john,ou=people,dc=example")

        #expect(left == right)
        #expect(try LDAPDN.normalize("cn=a+sn=b,dc=x") == LDAPDN.normalize("SN=B+CN=A,DC=X"))
        #expect(try LDAPDN.normalize("cn=a,dc=x") != LDAPDN.normalize("cn=b,dc=x"))
    }
}

import LDAP
import Testing

@Suite struct BindTests {
    @Test func serviceIdentityBindsAndWhoAmINamesIt() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()

        #expect(try connection.whoAmI() == "dn:\(slapd.serviceDN)")
    }

    @Test func wrongPasswordFailsWith49AndTheErrorHoldsNoPassword() throws {
        let slapd = try TestSlapd()
        let connection = try LDAPConnection(url: slapd.url)
        let wrong = "not-the-password-\(slapd.servicePassword)"

        let error = try #require(throws: LDAPError.self) {
            try connection.bind(dn: slapd.serviceDN, password: wrong)
        }

        #expect(error.code == 49)
        #expect(error.operation == "bind")
        #expect(error.description.hasPrefix("bind failed: 49 Invalid credentials"))
        #expect(!error.description.contains(wrong))
        #expect(!error.isTransient)
    }

    @Test func emptyPasswordIsRefusedBeforeAnythingIsSent() throws {
        let slapd = try TestSlapd()
        let connection = try LDAPConnection(url: slapd.url)

        let error = try #require(throws: LDAPError.self) {
            try connection.bind(dn: slapd.serviceDN, password: "")
        }

        #expect(error.message.contains("unauthenticated bind"))
        #expect(try connection.whoAmI() == "")
    }

    @Test func connectingToAClosedPortIsTransient() throws {
        let port = try TestSlapd.freePort()

        let error = try #require(throws: LDAPError.self) {
            _ = try LDAPConnection(url: "ldap://127.0.0.1:\(port)/", networkTimeout: 2)
        }

        #expect(error.operation == "connect")
        #expect(error.isTransient)
    }
}

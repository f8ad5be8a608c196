import LDAP
import Testing

@Suite struct LockTests {
    @Test func lockedAccountCannotBindUntilTheServiceUnlocksIt() throws {
        let slapd = try TestSlapd()
        let service = try slapd.serviceConnection()
        try service.perform(addPerson("leaver", password: "leaver-secret"))
        let lock = Modification(.add, "pwdAccountLockedTime", ["000001010000Z"])

        try service.perform(.modify(dn: personDN("leaver"), modifications: [lock]))
        let error = try #require(throws: LDAPError.self) {
            _ = try slapd.connection(dn: personDN("leaver"), password: "leaver-secret")
        }
        #expect(error.code == 49)

        let unlock = Modification(.delete, "pwdAccountLockedTime")
        try service.perform(.modify(dn: personDN("leaver"), modifications: [unlock]))
        let user = try slapd.connection(dn: personDN("leaver"), password: "leaver-secret")
        #expect(try user.whoAmI() == "dn:\(personDN("leaver"))")
    }

    @Test func readerCannotLockAnAccount() throws {
        let slapd = try TestSlapd()
        try slapd.serviceConnection().perform(addPerson("kept", password: "kept-secret"))
        let reader = try slapd.readerConnection()

        let error = try #require(throws: LDAPError.self) {
            try reader.perform(.modify(dn: personDN("kept"), modifications: [
                Modification(.replace, "pwdAccountLockedTime", ["000001010000Z"]),
            ]))
        }

        #expect(error.code == 50)
    }
}

import Foundation
import LDAP
import Testing

@Suite struct SearchTests {
    /// Loads `count` people through one pipeline as the service identity.
    private func slapdWithPeople(_ count: Int) throws -> TestSlapd {
        let slapd = try TestSlapd()
        let requests = (0..<count).map { addPerson(String(format: "p%05d", $0)) }
        try performAll(requests, on: try slapd.serviceConnection())
        return slapd
    }

    @Test func pagedReadReturnsMoreThan500Entries() throws {
        let slapd = try slapdWithPeople(1_200)
        let connection = try slapd.serviceConnection()

        var uids = Set<String>()
        try connection.search(base: people, scope: .oneLevel, filter: "(objectClass=inetOrgPerson)",
                              attributes: ["uid"], pageSize: 500) { entry in
            uids.insert(entry.first("uid") ?? "")
        }

        #expect(uids.count == 1_200)
        #expect(uids.contains("p00000") && uids.contains("p01199"))
    }

    /// Entries stream in before the result that says the read failed, so the search must
    /// still throw after delivering them: the caller then discards what it collected.
    @Test func readerWithoutLimitRaiseGetsSizeLimitExceededAfterThePartialEntries() throws {
        let slapd = try slapdWithPeople(1_200)
        let connection = try slapd.readerConnection()

        var delivered = 0
        let error = try #require(throws: LDAPError.self) {
            try connection.search(base: people, scope: .subtree, filter: "(uid=*)",
                                  attributes: ["uid"]) { _ in delivered += 1 }
        }

        #expect(error.code == 4)
        #expect(error.isSizeLimitExceeded)
        #expect(error.description.hasPrefix("search failed: 4 Size limit exceeded"))
        #expect(delivered <= 500, "the server stops at its size limit of 500")
    }

    @Test func readReturnsTheEntryOrNilWhenItDoesNotExist() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        try connection.perform(addPerson("alice", cn: "Alice Example"))

        let alice = try connection.read(dn: personDN("alice"), attributes: ["cn", "objectClass"])
        let missing = try connection.read(dn: personDN("nobody"), attributes: [])

        #expect(alice?.first("CN") == "Alice Example")
        #expect(alice?.values("objectclass") == ["inetOrgPerson"])
        #expect(missing == nil)
    }

    @Test func searchWithABadBaseThrowsNoSuchObjectWithMatchedDN() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()

        let error = try #require(throws: LDAPError.self) {
            try connection.search(base: "ou=missing,\(people)", scope: .subtree,
                                  filter: "(objectClass=*)", attributes: []) { _ in }
        }

        #expect(error.code == 32)
        #expect(error.matchedDN == people)
    }
}

import LDAP
import Testing

@Suite struct WriteTests {
    @Test func pipelinedAddsReportExactlyTheDuplicateAsFailed() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        try connection.perform(addPerson("dup"))
        var requests = (0..<10).map { addPerson("new\($0)") }
        requests[4] = addPerson("dup")

        var results: [Int: Result<Void, LDAPError>] = [:]
        try connection.perform(requests, window: 4) { index, result in
            #expect(results[index] == nil, "index \(index) reported twice")
            results[index] = result
        }

        #expect(results.count == 10)
        let failed = results.filter { if case .failure = $0.value { true } else { false } }
        #expect(Array(failed.keys) == [4])
        if case .failure(let error) = results[4] {
            #expect(error.code == 68 && error.isAlreadyExists)
            #expect(error.operation == "add")
        }
        #expect(try connection.read(dn: personDN("new9"), attributes: ["uid"]) != nil)
    }

    @Test func modifyAddsDeletesAndReplacesValues() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        try connection.perform(addPerson("mod"))
        try connection.perform(.modify(dn: personDN("mod"), modifications: [
            Modification(.add, "mail", ["a@example.org", "b@example.org"]),
            Modification(.add, "title", ["Engineer"]),
        ]))

        try connection.perform(.modify(dn: personDN("mod"), modifications: [
            Modification(.delete, "mail", ["a@example.org"]),
            Modification(.replace, "sn", ["Renamed"]),
            Modification(.delete, "title"),
        ]))

        let entry = try #require(try connection.read(dn: personDN("mod"), attributes: ["*"]))
        #expect(entry.values("mail") == ["b@example.org"])
        #expect(entry.values("sn") == ["Renamed"])
        #expect(entry.values("title").isEmpty)
    }

    @Test func modifyOfAMissingEntryThrowsNoSuchObject() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()

        let error = try #require(throws: LDAPError.self) {
            try connection.perform(.modify(dn: personDN("ghost"),
                                           modifications: [Modification(.replace, "sn", ["x"])]))
        }

        #expect(error.code == 32 && error.operation == "modify")
        #expect(error.description.hasPrefix("modify failed: 32 No such object"))
    }

    @Test func renameWithNewSuperiorKeepsGroupMembershipThroughRefint() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        let group = "cn=staff,\(groups)"
        let leavers = "ou=leavers,\(people)"
        try performAll([
            .add(dn: leavers, attributes: [
                ("objectClass", ["organizationalUnit"]), ("ou", ["leavers"]),
            ]),
            addPerson("mover"),
        ], on: connection)
        try connection.perform(.add(dn: group, attributes: [
            ("objectClass", ["groupOfNames"]), ("cn", ["staff"]), ("member", [personDN("mover")]),
        ]))

        try connection.perform(.rename(dn: personDN("mover"), newRDN: "uid=mover",
                                       newSuperior: leavers, deleteOldRDN: true))

        let moved = "uid=mover,\(leavers)"
        let staff = try #require(try connection.read(dn: group, attributes: ["member"]))
        let person = try #require(try connection.read(dn: moved, attributes: ["memberOf"]))
        #expect(try staff.values("member").map(LDAPDN.normalize) == [LDAPDN.normalize(moved)])
        #expect(person.values("memberOf") == [group])
        #expect(try connection.read(dn: personDN("mover"), attributes: []) == nil)
    }

    @Test func deleteRemovesTheEntryAndASecondDeleteFailsWith32() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        try connection.perform(addPerson("gone"))

        try connection.perform(.delete(dn: personDN("gone")))
        let error = try #require(throws: LDAPError.self) {
            try connection.perform(.delete(dn: personDN("gone")))
        }

        #expect(error.code == 32 && error.operation == "delete")
    }

    @Test func readerCannotWriteAndGetsInsufficientAccess() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.readerConnection()

        let error = try #require(throws: LDAPError.self) {
            try connection.perform(addPerson("intruder"))
        }

        #expect(error.code == 50)
    }
}

@Suite struct LostConnectionTests {
    @Test func pipelineOnALostConnectionReportsEveryIndexFailedThenThrows() throws {
        let slapd = try TestSlapd()
        let connection = try slapd.serviceConnection()
        slapd.stop()

        var reported: [Int] = []
        let error = try #require(throws: LDAPError.self) {
            let requests = (0..<20).map { addPerson("late\($0)") }
            try connection.perform(requests, window: 8) { index, result in
                if case .failure = result { reported.append(index) }
            }
        }

        #expect(reported.sorted() == Array(0..<20))
        #expect(error.isTransient)
    }
}

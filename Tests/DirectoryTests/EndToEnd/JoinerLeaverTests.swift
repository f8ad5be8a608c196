import Foundation
import LDAP
import Testing

/// A small hospital: a chief (the manager), a nurse, a pharmacist and a clerk.
let chief = HRRow(id: "000110", first: "Grace", last: "Hopper", title: "Chief Medical Officer", jobCode: "MD02",
                  department: "Medicine")
let nurse = HRRow(id: "000101", first: "Ana", last: "García", title: "Registered Nurse", jobCode: "RN01",
                  department: "Nursing", manager: "000110")
let pharmacist = HRRow(id: "000103", first: "Chloé", last: "Dubois", title: "Pharmacist", jobCode: "PH01",
                       department: "Pharmacy", manager: "000110")
let clerk = HRRow(id: "000104", first: "John", last: "Smith", manager: "000110")
let smallHospital = [chief, nurse, pharmacist, clerk]
/// refint's olcRefintNothing and idsync's placeholder_member: keeps a groupOfNames valid.
let placeholderDN = "uid=placeholder,ou=services,dc=example,dc=org"

@Suite struct JoinerLeaverTests {
    @Test func joinerEntryExistsWithItsGroups() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)

        let output = try site.run("sync")

        expectStatus(output, 0)
        let ana = try slapd.person(employeeID: "000101")
        let grace = try slapd.person(employeeID: "000110")
        #expect(try LDAPDN.normalize(ana.dn) == LDAPDN.normalize("uid=agarcia,\(people)"))
        #expect(ana.values("cn") == ["Ana García"])
        #expect(ana.values("mail") == ["agarcia@example.org"])
        #expect(ana.values("employeeNumber") == ["000101"])
        #expect(try ana.values("manager").map(LDAPDN.normalize) == [LDAPDN.normalize(grace.dn)])
        #expect(ana.first("idsyncState")?.hasPrefix("idsync:v1") == true)
        #expect(ana.values("pwdAccountLockedTime").isEmpty)
        let anaDN = try LDAPDN.normalize(ana.dn)
        for group in ["all-staff", "nursing", "ehr-users", "mfa-enroll"] {
            #expect(try slapd.members(of: group)?.contains(anaDN) == true, "\(group) lacks \(anaDN)")
        }
        #expect(try slapd.members(of: "physicians")?.contains(anaDN) != true)
        let memberOf = try Set(ana.values("memberOf").map(LDAPDN.normalize))
        #expect(memberOf == Set(try ["all-staff", "nursing", "ehr-users", "mfa-enroll"]
            .map { try LDAPDN.normalize("cn=\($0),\(groups)") }))
    }

    @Test func leaverCannotBindAfterSync() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        let anaDN = personDN("agarcia")
        try slapd.loadLDIF("""
            dn: cn=research,\(groups)
            objectClass: groupOfNames
            cn: research
            member: \(anaDN)
            """)
        try slapd.setPassword("Night-shift-2026", for: anaDN)
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == nil)
        let researchBefore = try slapd.members(of: "research")

        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == 49)
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(try ana.values("memberOf").map(LDAPDN.normalize) == [LDAPDN.normalize("cn=research,\(groups)")])
        for group in ["all-staff", "nursing", "ehr-users", "mfa-enroll"] {
            #expect(try slapd.members(of: group)?.contains(LDAPDN.normalize(anaDN)) == false, "still in \(group)")
        }
        #expect(try slapd.members(of: "research") == researchBefore)
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    @Test func rehireIsReEnabledWithTheSameLoginAndItsGroups() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.setPassword("Back-again-2026", for: personDN("agarcia"))
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        expectStatus(try site.run("sync"), 0)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Back-again-2026") == 49)

        var rehired = nurse
        rehired.hire = "11/20/2026"
        try site.writeFeed([chief, rehired, pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        let ana = try slapd.person(employeeID: "000101")
        #expect(ana.values("uid") == ["agarcia"])
        #expect(ana.values("pwdAccountLockedTime").isEmpty)
        #expect(ana.first("idsyncState")?.contains("disabled") == false)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Back-again-2026") == nil)
        for group in ["all-staff", "nursing", "ehr-users"] {
            #expect(try slapd.members(of: group)?.contains(LDAPDN.normalize(ana.dn)) == true, "not back in \(group)")
        }
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    @Test func lockSetOutsideIdsyncIsNotReEnabled() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.modifyLDIF("""
            dn: \(personDN("jsmith"))
            changetype: modify
            replace: pwdAccountLockedTime
            pwdAccountLockedTime: 000001010000Z
            """)

        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(try slapd.person(uid: "jsmith").values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(output.stdout.contains("disabled outside idsync; idsync does not re-enable it"))
        #expect(!output.stdout.contains("enable 000104"))
    }

    @Test func lastMemberLeavingKeepsGroupValid() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        // A group idsync creates carries only the members granted to it: the pharmacist is
        // the only member of pharmacy.
        #expect(try slapd.members(of: "pharmacy") == [LDAPDN.normalize(personDN("cdubois"))])

        try site.writeFeed([chief, nurse, pharmacist.terminated(), clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        let placeholder = try LDAPDN.normalize(placeholderDN)
        #expect(try slapd.members(of: "pharmacy") == [placeholder])
        #expect(try slapd.members(of: "all-staff")?.contains(LDAPDN.normalize(personDN("cdubois"))) == false)
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    @Test func auditLogRecordsEveryChangeAndNoPassword() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        let first = try site.run("sync")
        try slapd.setPassword("Pharmacy-secret-77", for: personDN("cdubois"))
        try site.writeFeed([chief, nurse, pharmacist.terminated(), clerk])
        let second = try site.run("sync")

        expectStatus(first, 0)
        expectStatus(second, 0)
        let applied = [first, second].map { appliedCount($0.stdout) }
        #expect(applied[0] > 0 && applied[1] > 0)
        let records = try site.changeRecords()
        let runs = Array(Set(records.compactMap { $0["run"] as? String }))
        #expect(runs.count == 2)
        #expect(records.count == applied.reduce(0, +))
        #expect(records.allSatisfy { $0["result"] as? String == "ok" })
        let mode = try FileManager.default.attributesOfItem(atPath: site.auditPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let audit = TestSlapd.contents(site.auditPath)
        for secret in [slapd.servicePassword, slapd.adminPassword, "Pharmacy-secret-77"] {
            for (name, text) in [("audit log", audit), ("stdout", first.stdout + second.stdout),
                                 ("stderr", first.stderr + second.stderr)] {
                #expect(!text.contains(secret), "a password appears in the \(name)")
            }
        }
    }
}

/// N from the report's "applied: N ok, …" line; -1 if there is none.
func appliedCount(_ report: String) -> Int {
    let line = report.split(separator: "\n").first { $0.hasPrefix("applied: ") }
    return line.flatMap { Int($0.dropFirst("applied: ".count).prefix { $0.isNumber }) } ?? -1
}

@Suite struct PasswordResetTests {
    /// slapd's ppolicy deletes pwdAccountLockedTime, the permanent lock included, when an
    /// administrator sets a new password: a helpdesk reset re-enables a leaver until the next
    /// sync, which sees the state still saying disabled and locks the account again.
    @Test func passwordResetOfALeaverIsLockedAgainByTheNextSync() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])
        expectStatus(try site.run("sync"), 0)

        try slapd.setPassword("Helpdesk-reset-1", for: personDN("agarcia"))
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Helpdesk-reset-1") == nil)
        let output = try site.run("sync")

        expectStatus(output, 0)
        #expect(slapd.bindFailure(dn: personDN("agarcia"), password: "Helpdesk-reset-1") == 49)
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }
}

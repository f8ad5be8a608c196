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
}

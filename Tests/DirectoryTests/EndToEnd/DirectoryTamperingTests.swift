import Foundation
import LDAP
import Testing

/// Hand edits in the directory that a fresh-user trial used to hide people from idsync: each
/// is named in the plan, and none keeps a leaver's account enabled.
@Suite struct DirectoryTamperingTests {
    /// Syncs the small hospital, so that every account carries idsync's state.
    func syncedSite(_ slapd: TestSlapd) throws -> SyncFixture {
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        return site
    }

    /// An entry of one's own with a leaver's employee id shielded the leaver: nothing was
    /// disabled and the run exited 0.
    @Test func aSecondEntryWithALeaversIdDoesNotKeepTheLeaverEnabled() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        let copy = personDN("agarcia-dup")
        try slapd.loadLDIF("""
            dn: \(copy)
            objectClass: inetOrgPerson
            uid: agarcia-dup
            cn: Ana Garcia
            sn: Garcia
            employeeNumber: 000101
            """)
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])

        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains(
            "duplicate-employee-id: [000101] employee id 000101 is carried by 2 entries"),
            "\(output.stdout)")
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(try slapd.members(of: "nursing")?.contains(LDAPDN.normalize(ana.dn)) == false)
        #expect(try slapd.person(uid: "agarcia-dup").values("pwdAccountLockedTime").isEmpty)
    }

    @Test func aSecondEntryWithAnActivePersonsIdHoldsThePersonAndExitsOne() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        try slapd.loadLDIF("""
            dn: \(personDN("agarcia-dup"))
            objectClass: inetOrgPerson
            uid: agarcia-dup
            cn: Ana Garcia
            sn: Garcia
            employeeNumber: 000101
            """)
        var moved = nurse
        moved.department = "ICU"

        try site.writeFeed([chief, moved, pharmacist, clerk])
        let output = try site.run("plan")

        expectStatus(output, 1)
        #expect(output.stdout.contains("agarcia-dup"), "\(output.stdout)")
        #expect(plannedChanges(output.stdout) == 0)
    }
}

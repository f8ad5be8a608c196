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

    /// Moves Ana's account out of the people subtree, as an administrator might by hand.
    func moveAnaOut(_ slapd: TestSlapd) throws -> String {
        try slapd.modifyLDIF("""
            dn: \(personDN("agarcia"))
            changetype: modrdn
            newrdn: uid=agarcia
            deleteoldrdn: 0
            newsuperior: ou=services,dc=example,dc=org
            """)
        return "uid=agarcia,ou=services,dc=example,dc=org"
    }

    /// An account moved out of directory.people was forgotten: the next plan created a second
    /// account (agarcia2) for the same person.
    @Test func anAccountMovedOutOfPeopleIsNamedAndGetsNoSecond() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        let moved = try moveAnaOut(slapd)

        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains(
            "account-outside-people: [000101] this entry carries employee id 000101, idsync's "
                + "state but is outside directory.people"), "\(output.stdout)")
        #expect(output.stdout.contains("No second account is created"), "\(output.stdout)")
        #expect(output.stdout.contains("(\(moved))"), "\(output.stdout)")
        #expect(try slapd.entries("(employeeNumber=000101)").count == 1)
    }

    /// As a leaver, the account moved out stayed enabled and in its groups with exit 0.
    @Test func aLeaversAccountMovedOutOfPeopleIsNamedAsStillEnabled() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        let moved = try moveAnaOut(slapd)
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])

        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains(
            "The person has left, and the account is still enabled and keeps its group "
                + "memberships. Move it back under \(people)"), "\(output.stdout)")
        #expect(output.stdout.contains("(\(moved))"), "\(output.stdout)")
    }

    /// A one-character edit of a claimed account's employeeNumber disabled it as a vanished
    /// person and created a second account for the same person, with nothing linking them.
    @Test func aJoinerNamedLikeAnAccountWhoseIdVanishedIsHeld() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        try slapd.modifyLDIF("""
            dn: \(personDN("agarcia"))
            changetype: modify
            replace: employeeNumber
            employeeNumber: 0001O1
            """)

        let output = try site.run("sync")

        expectStatus(output, 1)
        #expect(output.stdout.contains(
            "vanished-namesake: [000101] "), "\(output.stdout)")
        #expect(output.stdout.contains(
            "\(personDN("agarcia")) (employee id 0001O1) has the person's name and is disabled "
                + "this run"), "\(output.stdout)")
        let locked = try slapd.person(uid: "agarcia").values("pwdAccountLockedTime")
        #expect(locked == ["000001010000Z"])
        #expect(try slapd.entries("(employeeNumber=000101)").isEmpty)

        let next = try site.run("plan")
        #expect(next.stdout.contains("create-account 000101 agarcia2"), "\(next.stdout)")
    }

    /// A service entry and a DN no entry has, put into a managed group by hand, were neither
    /// removed nor reported.
    @Test func membersOfAManagedGroupThatAreNoAccountsAreNamed() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        let reader = "cn=reader,ou=services,dc=example,dc=org"
        let ghost = personDN("oldlab-x")
        try slapd.modifyLDIF("""
            dn: cn=all-staff,\(groups)
            changetype: modify
            add: member
            member: \(reader)
            member: \(ghost)
            """)

        let ordinary = try site.run("plan")

        expectStatus(ordinary, 0)
        #expect(ordinary.stdout.contains(
            "foreign-member: 2 member(s) of this managed group are no account idsync manages"),
            "\(ordinary.stdout)")
        #expect(ordinary.stdout.contains("\(try LDAPDN.normalize(reader))"), "\(ordinary.stdout)")
        #expect(ordinary.stdout.contains("\(try LDAPDN.normalize(ghost))"), "\(ordinary.stdout)")
        #expect(plannedChanges(ordinary.stdout) == 0)

        try slapd.modifyLDIF("""
            dn: cn=ehr-superusers,\(groups)
            changetype: add
            objectClass: groupOfNames
            cn: ehr-superusers
            member: \(reader)
            """)
        let privileged = try site.run("sync")

        expectStatus(privileged, 1)
        #expect(privileged.stdout.contains("foreign-privileged-member: 1 member(s)"),
                "\(privileged.stdout)")
        #expect(try slapd.members(of: "ehr-superusers") == [LDAPDN.normalize(reader)])
    }

    /// A department renamed in HR silently took its people out of their groups.
    @Test func aRenamedDepartmentIsNamedWithItsPeople() throws {
        let slapd = try TestSlapd()
        let site = try syncedSite(slapd)
        var renamed = pharmacist
        renamed.department = "Pharmacy Services"
        try site.writeFeed([chief, nurse, renamed, clerk])

        let output = try site.run("plan")

        expectStatus(output, 0)
        #expect(output.stdout.contains(
            "unmatched-hr-value: HR department 'Pharmacy Services' is matched by no role or "
                + "placement rule, and 1 person with it loses role groups and gains none this run "
                + "(cn=ehr-users,\(groups); cn=pharmacy,\(groups))"), "\(output.stdout)")
    }
}

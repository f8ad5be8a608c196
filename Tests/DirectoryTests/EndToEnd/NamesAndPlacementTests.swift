import Foundation
import LDAP
import Testing

@Suite struct NamesAndPlacementTests {
    static let hostile = ["Smith, John", "a+b", "\"Q\"", "back\\slash", "<x>", "semi;colon", "#hash",
                          " lead", "trail ", "*)(uid=*", "Zoë Ångström"]

    /// Person i has hostile value i as first name, i+1 as last name, i+2 as title, i+3 as
    /// department; one ordinary nurse shows that nobody else matches.
    static var hostileRows: [HRRow] {
        let values = hostile
        return values.indices.map { i in
            HRRow(id: String(format: "0003%02d", i), first: values[i], last: values[(i + 1) % values.count],
                  title: values[(i + 2) % values.count], department: values[(i + 3) % values.count])
        } + [nurse.with(manager: "")]
    }

    @Test func hostileNamesAreEscaped() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(Self.hostileRows)

        let output = try site.run("sync")

        expectStatus(output, 0)
        // The feed trims each field, so " lead" and "trail " arrive without their edge spaces.
        let trimmed = { (value: String) in value.trimmingCharacters(in: .whitespaces) }
        for row in Self.hostileRows {
            let entry = try slapd.person(employeeID: row.id)
            #expect(entry.values("givenName") == [trimmed(row.first)])
            #expect(entry.values("sn") == [trimmed(row.last)])
            #expect(entry.values("title") == [trimmed(row.title)])
            #expect(entry.values("departmentNumber") == [trimmed(row.department)])
            let uid = try #require(entry.first("uid"))
            #expect(uid.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }, "login '\(uid)'")
            #expect(try LDAPDN.parse(entry.dn).first?.first?.value == uid)
        }
        let injected = try slapd.entries("(departmentNumber=\(LDAPFilter.escape("*)(uid=*")))")
        #expect(injected.compactMap { $0.first("employeeNumber") } == ["000306"])
        let nursing = try slapd.members(of: "nursing")?.subtracting([LDAPDN.normalize(placeholderDN)])
        #expect(nursing == [try LDAPDN.normalize(personDN("agarcia"))])
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    @Test func placementMoveKeepsLoginAndGroups() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)

        var locum = chief
        locum.workerType = "Locum"
        try site.writeFeed([locum, nurse, pharmacist, clerk])
        let output = try site.run("sync")

        expectStatus(output, 0)
        let moved = "uid=ghopper,ou=contractors,\(people)"
        let grace = try slapd.person(employeeID: "000110")
        #expect(try LDAPDN.normalize(grace.dn) == LDAPDN.normalize(moved))
        #expect(grace.values("uid") == ["ghopper"])
        let newDN = try LDAPDN.normalize(moved)
        for group in ["all-staff", "physicians", "ehr-users", "contractors"] {
            #expect(try slapd.members(of: group)?.contains(newDN) == true, "\(group) lacks \(newDN)")
        }
        let everyMember = try ["all-staff", "physicians", "ehr-users"].flatMap { try slapd.members(of: $0) ?? [] }
        #expect(!everyMember.contains(try LDAPDN.normalize(personDN("ghopper"))))
        #expect(try slapd.person(uid: "agarcia").values("manager").map(LDAPDN.normalize) == [newDN])
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }

    /// A placement container that does not exist: its creates failed nightly with 32 and
    /// the plan said nothing. The plan holds those people and names the container.
    @Test func aMissingPlacementContainerHoldsItsPeople() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        let container = "ou=contractors,\(people)"
        try slapd.modifyLDIF("dn: \(container)\nchangetype: delete\n")
        var contractor = clerk
        contractor.workerType = "Contractor"
        try site.writeFeed([chief, nurse, pharmacist, contractor])
        let first = try site.run("sync")
        var locum = pharmacist
        locum.workerType = "Locum"
        try site.writeFeed([chief, nurse, locum, contractor])

        let plan = try site.run("plan")

        expectStatus(first, 1)
        #expect(try site.changeRecords().allSatisfy { $0["result"] as? String == "ok" })
        #expect(try slapd.entries("(employeeNumber=000104)").isEmpty)
        expectStatus(plan, 1)
        #expect(plan.stdout.contains(
            "container-missing: this container, where the placement rule 'contractors' puts "
                + "people, does not exist in the directory, so their accounts are neither "
                + "created nor moved here (not created: 000104; not moved: 000103). Create it "
                + "(an organizationalUnit at this DN)"),
            "\(plan.stdout)")
        #expect(plan.stdout.contains("(\(container))"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("move 000103"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("jsmith"), "\(plan.stdout)")
        let explained = try site.run("explain", ["--employee", "000104"]).stdout
        #expect(explained.contains("container-missing: this container"), "\(explained)")
        let other = try site.run("explain", ["--employee", "000101"]).stdout
        #expect(!other.contains("container-missing"), "\(other)")

        try slapd.loadLDIF("dn: \(container)\nobjectClass: organizationalUnit\nou: contractors\n")
        expectStatus(try site.run("sync"), 0)
        for (id, uid) in [("000104", "jsmith"), ("000103", "cdubois")] {
            let dn = try slapd.person(employeeID: id).dn
            #expect(try LDAPDN.normalize(dn) == LDAPDN.normalize("uid=\(uid),\(container)"))
        }
    }
}

extension HRRow {
    func with(manager: String) -> HRRow {
        var row = self
        row.manager = manager
        return row
    }
}

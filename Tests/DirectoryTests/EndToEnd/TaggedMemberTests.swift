import Foundation
import LDAP
import Testing

/// A group member held under an attribute option (`member;lang-de`): slapd keeps it apart
/// from `member`, but the filter (member=DN) and memberOf count it, so a leaver held that
/// way is still in the group for every application that asks.
@Suite struct TaggedMemberTests {
    /// Ana is held in nursing only as member;lang-de, in all-staff both plainly and so.
    private func tagAna(in slapd: TestSlapd) throws {
        let ana = personDN("agarcia")
        try slapd.modifyLDIF("""
            dn: cn=nursing,\(groups)
            changetype: modify
            add: member;lang-de
            member;lang-de: \(ana)
            -
            delete: member
            member: \(ana)

            dn: cn=all-staff,\(groups)
            changetype: modify
            add: member;lang-de
            member;lang-de: \(ana)
            """)
    }

    /// The groups a search (member=Ana) finds, as applications check membership.
    private func groupsListingAna(_ slapd: TestSlapd) throws -> [String] {
        let ana = LDAPFilter.escape(personDN("agarcia"))
        let filter = "(&(objectClass=groupOfNames)(member=\(ana)))"
        return try slapd.entries(filter).map(\.dn).sorted()
    }

    @Test func aLeaverHeldUnderAnOptionLeavesTheGroupNightly() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try tagAna(in: slapd)
        #expect(try groupsListingAna(slapd).count == 4, "the tagged values are found as members")
        try site.writeFeed([chief, nurse.terminated(), pharmacist, clerk])

        let plan = try site.run("plan")
        let sync = try site.run("sync")

        expectStatus(sync, 0)
        #expect(plan.stdout.contains("→ cn=nursing,\(groups)"), "\(plan.stdout)")
        #expect(try groupsListingAna(slapd) == [], "still listed")
        #expect(try slapd.person(uid: "agarcia").values("memberOf") == [])
        let removals = try site.records("remove-from-group")
        #expect(removals.count == 4 && removals.allSatisfy { $0["result"] as? String == "ok" },
                "\(removals)")
        expectStatus(try site.run("plan"), 0)
    }

    @Test func terminateTakesAMemberHeldUnderAnOption() throws {
        let (slapd, site) = try terminateFixture()
        try tagAna(in: slapd)

        let output = try site.terminate(employee: "000101")

        expectStatus(output, 0)
        #expect(try groupsListingAna(slapd) == ["cn=research,\(groups)"],
                "only the group no rule names keeps her")
        #expect(output.stdout.contains("no managed group lists it"), "\(output.stdout)")
    }
}

/// A managed group's DN held by an entry of another kind: creating the group there failed
/// every night (68 entryAlreadyExists) and the plan said nothing.
@Suite struct OccupiedGroupDNTests {
    @Test func aGroupDNHeldByAnotherEntryIsNamedAndNotCreated() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try slapd.loadLDIF("""
            dn: cn=pharmacy,\(groups)
            objectClass: organizationalRole
            cn: pharmacy
            """)
        try site.writeFeed(smallHospital)

        let sync = try site.run("sync")
        let plan = try site.run("plan")

        expectStatus(sync, 1)
        expectStatus(plan, 1)
        for output in [sync, plan] {
            #expect(!output.stdout.contains("create-group cn=pharmacy"), "\(output.stdout)")
            #expect(output.stdout.contains(
                "group-dn-taken: the managed group's DN is held by an entry that is no "
                    + "groupOfNames (objectClass: organizationalRole), so idsync cannot create "
                    + "the group, and those the role rules grant it are not placed in it: "
                    + "000103. Move or remove that entry"),
                "\(output.stdout)")
            #expect(output.stdout.contains("(cn=pharmacy,\(groups))"), "\(output.stdout)")
        }
        #expect(try site.changeRecords().allSatisfy { $0["result"] as? String == "ok" })
        let chloe = try LDAPDN.normalize(personDN("cdubois"))
        #expect(try slapd.members(of: "ehr-users")?.contains(chloe) == true, "the rest applied")
        #expect(try slapd.person(uid: "cdubois").values("memberOf").count == 3)
    }

    /// The grant the plan does not make is no access that grows: it used to demand MFA
    /// re-verification, and re-date the demand every night, so the plan was never empty.
    @Test func aGrantNotMadeDemandsNoReverification() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try slapd.loadLDIF("""
            dn: cn=contractors,\(groups)
            objectClass: organizationalRole
            cn: contractors
            """)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        var contractor = clerk
        contractor.workerType = "Contractor"
        try site.writeFeed([chief, nurse, pharmacist, contractor])

        let plan = try site.run("plan")
        let first = try site.run("sync")
        let second = try site.run("plan", at: "2026-12-02T17:00:00Z")

        expectStatus(first, 1)
        #expect(plan.stdout.contains("group-dn-taken"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("require-mfa-reverification"), "\(plan.stdout)")
        let moved = try LDAPDN.normalize("uid=jsmith,ou=contractors,\(people)")
        #expect(try LDAPDN.normalize(slapd.person(employeeID: "000104").dn) == moved)
        #expect(try slapd.members(of: "mfa-reverify")?.contains(moved) != true)
        expectStatus(second, 1)
        #expect(plannedChanges(second.stdout) == 0, "\(second.stdout)")
        let explained = try site.run("explain", ["--employee", "000104"]).stdout
        #expect(explained.contains("group-dn-taken: the managed group's DN"), "\(explained)")
    }
}

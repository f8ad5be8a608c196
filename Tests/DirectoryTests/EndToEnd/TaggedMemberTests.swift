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
        let filter = "(&(objectClass=groupOfNames)(member=\(LDAPFilter.escape(personDN("agarcia")))))"
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

import Foundation
import LDAP
import Testing

/// The day after the small hospital's first sync: the clerk leaves, the pharmacist moves to
/// Oncology, a nurse joins.
let savedPlanDay: [HRRow] = {
    var pharmacist = pharmacist
    pharmacist.department = "Oncology"
    pharmacist.title = "Oncology Pharmacist"
    let joiner = HRRow(
        id: "000120", first: "Noah", last: "Kim", title: "Registered Nurse", jobCode: "RN01",
        department: "Nursing", manager: "000110")
    return [chief, nurse, pharmacist, clerk.terminated(), joiner]
}()

@Suite struct SavedPlanApplyTests {
    /// A synced small hospital with the next day's feed written and its plan saved as JSON.
    /// `approval` is added to the config after the first sync.
    func savedPlan(approval: String = "") throws -> (SyncFixture, String) {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        let config = try String(contentsOfFile: site.configPath, encoding: .utf8)
        try (config + approval).write(toFile: site.configPath, atomically: true, encoding: .utf8)
        try site.writeFeed(savedPlanDay)
        let plan = site.dir + "/plan.json"
        expectStatus(try site.run("plan", ["--format", "json", "--out", plan]), 0)
        return (site, plan)
    }

    func contentHash(_ path: String) throws -> String {
        let object = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: path)))
        return try #require((object as? [String: Any])?["contentHash"] as? String)
    }

    @Test func anApprovedPlanAppliesAndTheNextPlanIsEmpty() throws {
        let (site, plan) = try savedPlan()
        let hash = try contentHash(plan)
        let page = site.dir + "/approve.html"
        expectStatus(try site.run("report", ["--plan", plan, "--format", "html", "--out", page]), 0)
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains(hash))

        let applied = try site.run(
            "apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace, CISO"])

        expectStatus(applied, 0)
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
        let locked = try site.slapd.entries("(pwdAccountLockedTime=*)").compactMap {
            $0.first("employeeNumber")
        }
        #expect(locked == ["000104"])
        #expect(try site.slapd.entries("(uid=nkim)").count == 1)
        let run = try #require(try site.changeRecords().last?["run"] as? String)
        let records = try site.auditRecords().filter { $0["run"] as? String == run }
        #expect(records.count > 3)
        for record in records {
            let actor = record["actor"] as? [String: Any]
            #expect(actor?["plan"] as? String == hash)
            #expect(actor?["approvedBy"] as? String == "Dr. Ada Lovelace, CISO")
        }
    }

    @Test func aPlanWhoseTargetMovedSinceItWasMadeIsRefusedAndWritesNothing() throws {
        let (site, plan) = try savedPlan()
        // Someone edits the pharmacist's entry, which the plan changes, after the approval.
        try site.slapd.modifyLDIF(
            """
            dn: uid=cdubois,ou=people,dc=example,dc=org
            changetype: modify
            replace: title
            title: Edited by hand
            """)
        let before = try site.slapd.dump()
        let changes = try site.changeRecords().count

        let refused = try site.run("apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace"])

        expectStatus(refused, 3)
        #expect(refused.stderr.contains("moved since it was made"))
        #expect(refused.stderr.contains("uid=cdubois"))
        #expect(try site.slapd.dump() == before)
        #expect(try site.changeRecords().count == changes)
    }

    @Test func anEditedPlanFileIsRefused() throws {
        let (site, plan) = try savedPlan()
        let text = try String(contentsOfFile: plan, encoding: .utf8)
            .replacingOccurrences(of: "cn=nursing,ou=groups", with: "cn=ehr-superusers,ou=groups")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let before = try site.slapd.dump()

        let refused = try site.run("apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace"])

        expectStatus(refused, 3)
        #expect(refused.stderr.contains("was changed after it was made"))
        #expect(try site.slapd.dump() == before)
    }

    /// A key added by hand passed the hash check while JSONDecoder read plans (it dropped the
    /// key before the hash was taken); now the file is refused, at the top level and inside a
    /// change, before anything is written or audited.
    @Test(arguments: [
        ("\"contentHash\" :", "\"approvedBy\" : \"Dr. Mallory\", \"contentHash\" :", "approvedBy"),
        ("\"category\" :", "\"approved\" : true, \"category\" :", "plan.changes[0].approved"),
    ])
    func aPlanWithAKeyIdsyncNeverWritesIsRefusedAndWritesNothing(
        before: String, after: String, path: String
    ) throws {
        let (site, plan) = try savedPlan()
        let written = try String(contentsOfFile: plan, encoding: .utf8)
        let range = try #require(written.range(of: before))
        try written.replacingCharacters(in: range, with: after)
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let dump = try site.slapd.dump()
        let records = try site.auditRecords().count

        let refused = try site.run("apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace"])

        expectStatus(refused, 3)
        #expect(refused.stderr.contains("\(plan) has \(path) (line "), "\(refused.stderr)")
        #expect(refused.stderr.contains("Make and approve the plan again"))
        #expect(try site.slapd.dump() == dump)
        #expect(try site.auditRecords().count == records)
        expectStatus(try site.run("report", ["--plan", plan]), 3)
    }

    @Test func withoutApprovalTheJoinerWaitsAndTheLeaverIsStillDisabled() throws {
        let (site, plan) = try savedPlan(
            approval: """
                approval:
                  require_for: [joiners, privileged-grants]

                """)

        let partial = try site.run("apply", ["--plan", plan])

        expectStatus(partial, 1)
        #expect(partial.stdout.contains("waits for approval"), "\(partial.stdout)")
        let locked = try site.slapd.entries("(pwdAccountLockedTime=*)").compactMap {
            $0.first("employeeNumber")
        }
        #expect(locked == ["000104"])
        #expect(try site.slapd.entries("(uid=nkim)").isEmpty)
        #expect(try site.slapd.entries("(title=Oncology Pharmacist)").count == 1)
    }

    @Test func aNightlySyncHoldsWhatNeedsApprovalAndAppliesTheRest() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(
            slapd: slapd,
            guards: SyncFixture.roomyGuards + """

                approval:
                  require_for: [joiners]
                """)
        try site.writeFeed([chief, clerk])
        expectStatus(try site.run("sync"), 0)
        #expect(try slapd.entries("(employeeNumber=*)").isEmpty)

        try site.writeFeed([chief, clerk.terminated()])
        let plan = site.dir + "/plan.json"
        expectStatus(try site.run("plan", ["--format", "json", "--out", plan]), 0)
        expectStatus(
            try site.run("apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace"]), 0)
        #expect(try slapd.entries("(employeeNumber=000110)").count == 1)
    }

    /// HR retitles the joiner after the plan was approved: the creation is not applied, and
    /// neither are the joiner's group additions, which would list a DN no entry has (and the
    /// memberof overlay never gives the entry created later its memberOf). The next sync
    /// creates the joiner with every group and its memberOf.
    @Test func aJoinerWhoseCreationIsNotAppliedGetsNoGroupsUntilTheirEntryExists() throws {
        let (site, plan) = try savedPlan()
        var day = savedPlanDay
        day[4].title = "Staff Nurse"
        try site.writeFeed(day)

        let partial = try site.run("apply", ["--plan", plan, "--approved-by", "Dr. Ada Lovelace"])

        expectStatus(partial, 1)
        #expect(partial.stdout.contains("waits for this person's account creation"))
        #expect(try site.slapd.entries("(uid=nkim)").isEmpty)
        let listing = try site.slapd.entries("(objectClass=groupOfNames)").filter { group in
            group.values("member").contains { $0.lowercased().hasPrefix("uid=nkim,") }
        }
        #expect(listing.map(\.dn) == [])
        #expect(try site.slapd.entries("(pwdAccountLockedTime=*)").count == 1)

        expectStatus(try site.run("sync"), 0)
        let joiner = try site.slapd.person(uid: "nkim")
        let groups = try site.slapd.entries("(member=\(joiner.dn))").map(\.dn)
        #expect(groups.count >= 2)
        #expect(Set(joiner.values("memberOf")) == Set(groups))
        #expect(plannedChanges(try site.run("plan").stdout) == 0)
    }
}

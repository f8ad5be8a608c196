import Foundation
import Testing

@testable import IdentitySync

@Suite struct PlanDocumentTests {
    let day = ReportDay()
    let made = Fixtures.instant("2024-03-15T17:05:00Z")

    func document() -> PlanDocument {
        PlanDocument(plan: day.plan, directory: day.directory, createdAt: made, redacted: [])
    }

    @Test func theSamePlanGivesTheSameBytesAndHash() throws {
        let again = ReportDay()
        let other = PlanDocument(
            plan: again.plan, directory: again.directory, createdAt: made, redacted: [])
        #expect(try document().rendered() == other.rendered())
        #expect(document().contentHash.hasPrefix("sha256:"))
        #expect(document().contentHash.count == 7 + 64)
    }

    @Test func aSavedPlanReadsBackWithItsHash() throws {
        let data = Data(try document().rendered().utf8)
        let read = try PlanDocument.read(data, file: "plan.json")
        #expect(read.contentHash == document().contentHash)
        #expect(read.plan.changes == day.plan.changes)
        #expect(read.targets == document().targets)
    }

    @Test func anEditedFileIsRefusedForItsHash() throws {
        let text = try document().rendered().replacingOccurrences(
            of: "\"agarcia\"", with: "\"mallory\"")
        #expect(throws: SavedPlanProblem.self) {
            try PlanDocument.read(Data(text.utf8), file: "plan.json")
        }
    }

    @Test func anotherSchemaVersionIsRefused() throws {
        let text = try document().rendered().replacingOccurrences(
            of: "\"schema\" : 4", with: "\"schema\" : 3")
        let problem = try #require(throws: SavedPlanProblem.self) {
            try PlanDocument.read(Data(text.utf8), file: "plan.json")
        }
        #expect(problem.description.contains("has plan schema 3; this idsync reads schema 4"))
    }

    /// A key idsync never writes passes the hash check when the hash is taken from the
    /// decoded plan (JSONDecoder drops the key, and the rest is unchanged), so the reader
    /// refuses the key itself, at the top level and inside a change.
    @Test(arguments: [
        ("\"contentHash\" :", "\"approvedBy\" : \"Dr. Mallory\", \"contentHash\" :", "approvedBy"),
        ("\"category\" :", "\"approved\" : true, \"category\" :", "plan.changes[0].approved"),
    ])
    func aSavedPlanWithAKeyIdsyncNeverWritesIsRefusedNamingTheKey(
        before: String, after: String, path: String
    ) throws {
        let written = try document().rendered()
        let range = try #require(written.range(of: before))
        let text = written.replacingCharacters(in: range, with: after)
        let old = try JSONDecoder().decode(PlanDocument.self, from: Data(text.utf8))
        #expect(try old.computedHash() == old.contentHash)

        let problem = try #require(throws: SavedPlanProblem.self) {
            try PlanDocument.read(Data(text.utf8), file: "plan.json")
        }
        #expect(problem.description.hasPrefix("plan.json has \(path) (line "))
        #expect(problem.description.contains("which plan schema 4 does not have"))
        #expect(problem.description.hasSuffix("Make and approve the plan again"))
    }

    @Test func aSavedPlanWithAKeyTwiceIsRefused() throws {
        let text = try document().rendered().replacingOccurrences(
            of: "\"schema\" : 4", with: "\"schema\" : 4,\n  \"schema\" : 4")
        let problem = try #require(throws: SavedPlanProblem.self) {
            try PlanDocument.read(Data(text.utf8), file: "plan.json")
        }
        #expect(problem.description.hasPrefix("plan.json has the key schema twice in one object"))
        #expect(problem.description.hasSuffix("Make and approve the plan again"))
    }

    @Test func aFileThatIsNoJSONIsRefusedWithItsPlace() throws {
        let text = try document().rendered().replacingOccurrences(
            of: "\"schema\" : 4", with: "\"schema\" : 4.0")
        let problem = try #require(throws: SavedPlanProblem.self) {
            try PlanDocument.read(Data(text.utf8), file: "plan.json")
        }
        #expect(problem.description.hasPrefix(
            "plan.json is not a plan written by 'idsync plan --format json': line "))
        #expect(problem.description.contains("a fraction or an exponent"))
    }

    /// The hash taken from the file's bytes is the hash of the decoded plan, for both forms
    /// SortedJSON writes.
    @Test func theFilesOwnBytesGiveTheContentHash() throws {
        let saved = document()
        for pretty in [false, true] {
            let json = try SortedJSONDecoder(
                parsing: Data(try SortedJSON.render(saved, pretty: pretty)))
            #expect("sha256:" + json.compactSHA256(blankingTopLevel: "contentHash")
                    == saved.contentHash)
        }
    }

    /// Another spelling of the same values gives other bytes; the plan is still read, its
    /// hash then checked on the decoded plan as before.
    @Test func anEscapeWrittenOtherwiseStillMatchesTheHash() throws {
        let text = try document().rendered().replacingOccurrences(
            of: "\"agarcia\"", with: "\"\\u0061garcia\"")
        let json = try SortedJSONDecoder(parsing: Data(text.utf8))
        #expect("sha256:" + json.compactSHA256(blankingTopLevel: "contentHash")
                != document().contentHash)
        let read = try PlanDocument.read(Data(text.utf8), file: "plan.json")
        #expect(read.plan.changes == day.plan.changes)
    }

    @Test func everyTargetOfEveryChangeHasAFingerprint() {
        let keys = Set(day.plan.changes.flatMap(TargetFingerprints.keys(of:)))
        #expect(Set(document().targets.keys) == keys)
        #expect(document().targets["entry:uid=agarcia,ou=people,dc=example,dc=org"] != "absent")
    }
}

@Suite struct SavedPlanSelectionTests {
    let day = ReportDay()
    let made = Fixtures.instant("2024-03-15T17:05:00Z")
    let hour: TimeInterval = 3600

    func saved(_ plan: Plan? = nil) -> PlanDocument {
        PlanDocument(
            plan: plan ?? day.plan, directory: day.directory, createdAt: made, redacted: [])
    }

    @Test func anUnchangedDirectorySelectsEveryChange() throws {
        let selection = try SavedPlanSelection.select(
            saved: saved(), fresh: day.plan, directory: day.directory,
            now: made + hour, maxAge: 24 * hour)
        #expect(selection.plan.changes == day.plan.changes)
        #expect(selection.noLongerPlanned.isEmpty && selection.notApproved.isEmpty)
    }

    @Test func aChangeAddedToTheSavedFileIsNotApplied() throws {
        var edited = day.plan
        let grant = Change(
            kind: .addToGroup, category: .mover, employeeID: "000102", login: "ghopper",
            dn: "uid=ghopper,\(peopleDN)", target: "cn=ehr-superusers,\(groupsDN)",
            reason: Reason(rule: "edited", text: "added by hand"))
        edited.changes.append(grant)
        let selection = try SavedPlanSelection.select(
            saved: saved(edited), fresh: day.plan,
            directory: day.directory, now: made + hour, maxAge: 24 * hour)
        #expect(!selection.plan.changes.contains(grant))
        #expect(selection.plan.changes == day.plan.changes)
        #expect(selection.noLongerPlanned == [grant])
    }

    @Test func aTargetThatMovedRefusesTheWholePlan() throws {
        var moved = day.directory
        let index = try #require(moved.accounts.firstIndex { $0.login == "ghopper" })
        moved.accounts[index].attributes["title"] = ["Changed by hand"]
        let problem = try #require(throws: SavedPlanProblem.self) {
            try SavedPlanSelection.select(
                saved: saved(), fresh: day.plan, directory: moved,
                now: made + hour, maxAge: 24 * hour)
        }
        #expect(problem.description.contains("uid=ghopper"))
    }

    @Test func aChangeElsewhereInTheDirectoryDoesNotRefuseIt() throws {
        var elsewhere = day.directory
        elsewhere.accounts.append(Fixtures.account("other", id: "000900"))
        elsewhere.fingerprint = "moved"
        let selection = try SavedPlanSelection.select(
            saved: saved(), fresh: day.plan, directory: elsewhere,
            now: made + hour, maxAge: 24 * hour)
        #expect(selection.plan.changes == day.plan.changes)
    }

    /// HR changed the joiner's title after the approval: the creation planned now is not the
    /// approved one, so the joiner's approved group additions wait with it (they would add a
    /// DN no entry has to the groups), and the others' changes go.
    @Test func aJoinerWhoseCreationChangedSinceApprovalWaitsWithEveryChangeOfTheirs() throws {
        var fresh = day.plan
        let index = try #require(
            fresh.changes.firstIndex { $0.kind == .createAccount && $0.employeeID == "000103" })
        let approved = fresh.changes[index]
        let retitled = Change(
            kind: approved.kind, category: approved.category, employeeID: approved.employeeID,
            login: approved.login, dn: approved.dn,
            attributes: approved.attributes.filter { $0.name != "title" }
                + [AttributeEdit(name: "title", before: [], after: ["Staff Nurse"])],
            state: approved.state, reason: approved.reason)
        fresh.changes[index] = retitled

        let selection = try SavedPlanSelection.select(
            saved: saved(), fresh: fresh, directory: day.directory,
            now: made + hour, maxAge: 24 * hour)

        #expect(selection.notApproved == [retitled])
        #expect(selection.noLongerPlanned == [approved])
        #expect(!selection.waiting.isEmpty)
        #expect(selection.waiting.allSatisfy { $0.employeeID == "000103" })
        #expect(selection.waiting.contains { $0.kind == .addToGroup })
        #expect(!selection.plan.changes.contains { $0.employeeID == "000103" })
        #expect(
            selection.plan.changes.count
                == day.plan.changes.count - 1 - selection.waiting.count)
        #expect(
            selection.plan.changes.contains { $0.kind == .disable && $0.employeeID == "000101" })
    }

    @Test func aPlanOlderThanTheLimitIsRefused() throws {
        let problem = try #require(throws: SavedPlanProblem.self) {
            try SavedPlanSelection.select(
                saved: saved(), fresh: day.plan, directory: day.directory,
                now: made + 25 * hour, maxAge: 24 * hour)
        }
        #expect(problem.description.contains("25.0 hours ago"))
    }
}

@Suite struct ApprovalGateTests {
    func gate(_ requirements: Set<ApprovalConfig.Requirement>) -> ApprovalGate {
        ApprovalGate(
            config: Fixtures.config { $0.approval = ApprovalConfig(requireFor: requirements) })
    }

    @Test func aJoinerWaitsWithEveryChangeOfTheirsAndTheLeaverDoesNot() {
        let plan = ReportDay().plan
        let (apply, held) = gate([.joiners]).split(plan.changes, approved: false)
        #expect(!held.isEmpty)
        #expect(held.allSatisfy { $0.employeeID == "000103" })
        #expect(apply.filter { $0.employeeID == "000103" }.isEmpty)
        #expect(apply.contains { $0.kind == .disable && $0.employeeID == "000101" })
        #expect(
            apply.filter { $0.category == .leaver }.count
                == plan.changes.filter { $0.category == .leaver }.count)
    }

    @Test func approvalReleasesEverything() {
        let plan = ReportDay().plan
        let (apply, held) = gate([.joiners, .grants]).split(plan.changes, approved: true)
        #expect(held.isEmpty && apply == plan.changes)
    }

    @Test func onlyPrivilegedGrantsWaitWhenOnlyTheyAreNamed() {
        let grant = { (group: String) in
            Change(
                kind: .addToGroup, category: .mover, employeeID: "000102", login: "ghopper",
                dn: "uid=ghopper,\(peopleDN)", target: "cn=\(group),\(groupsDN)",
                reason: Reason(rule: "r", text: "t"))
        }
        let gate = gate([.privilegedGrants])
        #expect(gate.needsApproval(grant("ehr-superusers")))
        #expect(!gate.needsApproval(grant("nursing")))
    }

    @Test func disablesAndRemovalsNeverWait() {
        let plan = ReportDay().plan
        let gate = gate([.joiners, .grants, .privilegedGrants])
        for change in plan.changes where change.kind == .disable || change.kind == .removeFromGroup
        {
            #expect(!gate.needsApproval(change))
        }
    }
}

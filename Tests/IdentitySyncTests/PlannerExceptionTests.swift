import Foundation
import Testing

@testable import IdentitySync

/// The exceptions file: a nurse covers the physicians' float pool until 2024-03-20.
@Suite struct PlannerExceptionTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")
    let dn = "uid=agarcia,\(peopleDN)"

    func cover(
        _ group: String = "physicians", id: String = "000101", until: String = "2024-03-20"
    )
        -> AccessException
    {
        AccessException(
            employeeID: id, group: group, until: Fixtures.date(until), approvedBy: "Dr. Hopper",
            why: "float-pool cover, CHG-5120", source: "exceptions.yaml:3")
    }

    func config(
        _ entries: [AccessException], privileged: ExceptionPolicy.Privileged = .refuse
    ) -> Config {
        Fixtures.config { config in
            config.exceptions.entries = entries
            config.exceptions.privileged = privileged
        }
    }

    /// The nurse's synced account, in her rule groups plus `extra`.
    func directory(extra: [String] = []) -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(nurse, login: "agarcia")
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [DistinguishedName]()) })
        for group in groups + extra { members[group, default: []].append(account.dn) }
        return Fixtures.directory([account], groups: members)
    }

    func day(_ date: String) -> Date { Fixtures.instant("\(date)T17:00:00Z") }

    @Test func exceptionGrantsTheGroupWithTheApproverInTheReason() throws {
        let plan = Fixtures.plan([nurse], directory(), config: config([cover()]))
        let add = try #require(changes(plan, .addToGroup).first)
        #expect(summary(add) == "add-to-group \(dn) -> cn=physicians,\(groupsDN)")
        #expect(add.reason.rule == "exception")
        #expect(add.reason.text.contains("approved by Dr. Hopper"))
        #expect(add.reason.text.contains("until 2024-03-20"))
        #expect(add.reason.text.contains("exceptions.yaml:3"))
    }

    @Test func exceptionStillHoldsOnItsLastDayAndGoesTheDayAfter() throws {
        let onLastDay = Fixtures.plan(
            [nurse], directory(extra: ["physicians"]), config: config([cover()]),
            at: day("2024-03-20"))
        #expect(onLastDay.changes.isEmpty)

        let dayAfter = Fixtures.plan(
            [nurse], directory(extra: ["physicians"]), config: config([cover()]),
            at: day("2024-03-21"))
        let removal = try #require(only(.removeFromGroup, in: dayAfter))
        #expect(summary(removal) == "remove-from-group \(dn) -> cn=physicians,\(groupsDN)")
        #expect(removal.reason.text.contains("ended on 2024-03-20"))
    }

    /// 2024-03-21 starts at 04:00 UTC in New York but at 06:00 UTC in Denver.
    @Test func exceptionEndsByThePersonsLocalDate() {
        var denver = nurse
        denver.location = "Denver Clinic"
        let (account, groups) = Fixtures.synced(denver, login: "agarcia")
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [DistinguishedName]()) })
        for group in groups + ["physicians"] { members[group, default: []].append(account.dn) }
        let observed = Fixtures.directory([account], groups: members)
        let instant = Fixtures.instant("2024-03-21T05:00:00Z")
        #expect(
            Fixtures.plan([denver], observed, config: config([cover()]), at: instant).changes
                .isEmpty)
        #expect(
            changes(
                Fixtures.plan(
                    [nurse], directory(extra: ["physicians"]), config: config([cover()]),
                    at: instant), .removeFromGroup
            ).count == 1)
    }

    @Test(arguments: [("2024-03-29", true), ("2024-03-30", false)])
    func exceptionEndingWithinFourteenDaysIsAFinding(_ until: String, _ reported: Bool) {
        let plan = Fixtures.plan(
            [nurse], directory(extra: ["physicians"]), config: config([cover(until: until)]))
        let found = plan.findings.contains {
            $0.kind == .exception && $0.text.contains("ends on \(until)")
        }
        #expect(found == reported, "\(plan.findings)")
    }

    @Test func privilegedExceptionWithoutPhishingResistantLevelIsRefused() {
        let plan = Fixtures.plan([nurse], directory(), config: config([cover("ehr-superusers")]))
        #expect(changes(plan, .addToGroup).isEmpty)
        expectFinding(plan, .exception, containing: "refused: ehr-superusers is privileged")
    }

    @Test func privilegedExceptionUnderHoldIsAHeldFindingAndKeepsAMembershipThere() {
        let fresh = Fixtures.plan(
            [nurse], directory(), config: config([cover("ehr-superusers")], privileged: .hold))
        #expect(changes(fresh, .addToGroup).isEmpty)
        expectFinding(fresh, .held, containing: "ehr-superusers is held")

        let member = Fixtures.plan(
            [nurse], directory(extra: ["ehr-superusers"]),
            config: config([cover("ehr-superusers")], privileged: .hold))
        #expect(member.changes.isEmpty)
    }

    @Test func privilegedExceptionIsGrantedWhenTheRolesGivePhishingResistantLevel() {
        var rules = Fixtures.roleRules
        rules.rules.append(
            RoleRule(
                name: "research", match: [.department: ["research"]], groups: ["research"],
                mfa: .phishingResistant))
        var superuser = nurse
        superuser.jobCode = "EHR-SU"
        let (account, groups) = Fixtures.synced(superuser, login: "agarcia")
        var members = Dictionary(
            uniqueKeysWithValues: (Fixtures.allGroups + ["research"]).map {
                ($0, [DistinguishedName]())
            })
        for group in groups { members[group, default: []].append(account.dn) }
        let config = Fixtures.config { config in
            config.roles = rules
            config.exceptions.entries = [cover("research")]
        }
        let plan = Fixtures.plan(
            [superuser], Fixtures.directory([account], groups: members), config: config)
        #expect(
            changes(plan, .addToGroup).map(summary) == [
                "add-to-group \(dn) -> cn=research,\(groupsDN)"
            ])
    }

    @Test func exceptionForAnUnknownEmployeeIsAFindingAndNothingElse() {
        let plan = Fixtures.plan([nurse], directory(), config: config([cover(id: "999999")]))
        #expect(plan.changes.isEmpty)
        expectFinding(plan, .exception, containing: "no person with this employee id")
    }

    @Test func leaverLosesTheExceptionGroupLikeTheOthers() {
        var leaver = nurse
        leaver.status = .terminated
        leaver.terminationDate = Fixtures.date("2024-03-14")
        let plan = Fixtures.plan(
            [leaver], directory(extra: ["physicians"]), config: config([cover()]))
        #expect(summaries(plan).contains("remove-from-group \(dn) -> cn=physicians,\(groupsDN)"))
        #expect(changes(plan, .addToGroup).isEmpty)
    }

    @Test func joinerGetsTheExceptionGroupAtCreation() {
        let plan = Fixtures.plan([nurse], Fixtures.directory([]), config: config([cover()]))
        #expect(summaries(plan).contains("add-to-group \(dn) -> cn=physicians,\(groupsDN)"))
    }
}

@Suite struct ExceptionFileTests {
    func write(_ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idsync-exc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("exceptions.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    let managed: Set<String> = ["physicians", "ehr-users", "ehr-superusers"]

    func entry(group: String = "physicians", until: String = "2024-04-01") -> String {
        """
          - employee_id: 000101
            group: \(group)
            until: \(until)
            approved_by: Dr. Hopper
            why: float-pool cover
        """
    }

    @Test func entriesLoadWithTheirLines() throws {
        let path = try write("exceptions:\n" + entry() + "\n" + entry(group: "ehr-users") + "\n")
        let entries = try ConfigLoader.loadExceptionEntries(path, managed: managed)
        #expect(entries.map(\.employeeID) == ["000101", "000101"])
        #expect(entries.map(\.source) == ["\(path):2", "\(path):7"])
        #expect(entries[0].until == Fixtures.date("2024-04-01"))
    }

    @Test(arguments: [
        (entryText: "group: research", line: 3, text: "no role rule grants"),
        (entryText: "until: 04/01/2024", line: 4, text: "must be a date such as"),
        (entryText: "approved_by: ''", line: 5, text: "must not be empty"),
    ])
    func badEntryNamesItsLine(_ entryText: String, _ line: Int, _ text: String) throws {
        let key = String(entryText.prefix { $0 != ":" })
        let lines = entry().split(separator: "\n").map {
            $0.contains(" \(key):") ? "    \(entryText)" : String($0)
        }
        let path = try write("exceptions:\n" + lines.joined(separator: "\n") + "\n")
        #expect {
            _ = try ConfigLoader.loadExceptionEntries(path, managed: managed)
        } throws: { error in
            "\(error)".hasPrefix("\(path):\(line):") && "\(error)".contains(text)
        }
    }

    @Test func missingUntilIsAnError() throws {
        let text = entry().split(separator: "\n").filter { !$0.contains("until") }.joined(
            separator: "\n")
        let path = try write("exceptions:\n" + text + "\n")
        #expect {
            _ = try ConfigLoader.loadExceptionEntries(path, managed: managed)
        } throws: { error in
            "\(error)".contains("needs the key 'until'") && "\(error)".hasPrefix("\(path):2:")
        }
    }

    @Test func sameGrantTwiceNamesBothLines() throws {
        let path = try write("exceptions:\n" + entry() + "\n" + entry() + "\n")
        #expect {
            _ = try ConfigLoader.loadExceptionEntries(path, managed: managed)
        } throws: { error in
            "\(error)".hasPrefix("\(path):7:") && "\(error)".contains("first at \(path):2")
        }
    }

    @Test(arguments: [("2024-06-13", true), ("2024-06-14", false)])
    func untilBeyondTheHorizonIsRefusedWithItsLine(_ until: String, _ accepted: Bool) throws {
        let path = try write("exceptions:\n" + entry(until: until) + "\n")
        var policy = ExceptionPolicy()
        policy.entries = try ConfigLoader.loadExceptionEntries(path, managed: managed)
        do {
            try policy.checkHorizon(today: Fixtures.date("2024-03-15"))
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect("\(error)".hasPrefix("\(path):2: 'until' \(until) is 91 days"))
            #expect("\(error)".contains("exceptions.max_days (90)"))
        }
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// A temporary audit log file, read back line by line as the SIEM would.
struct AuditFile {
    let path: String

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idsync-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("audit.jsonl").path
    }

    func open() throws -> AuditLog {
        try AuditLog(path: path, run: "run-1", actor: Actor(bindIdentity: "cn=idsync", osUser: "idsync", reason: nil))
    }

    func records() throws -> [AuditRecord] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try JSONDecoder().decode(AuditRecord.self, from: Data(line.utf8))
        }
    }
}

@Suite struct ExecutorTests {
    let leaving = Fixtures.person("000101", "Ana", "Garcia", status: .terminated, terminated: "2024-03-01")
    let ana = Fixtures.person("000101", "Ana", "Garcia")
    let ann = Fixtures.person("000201", "Ann", "Lee")
    let bob = Fixtures.person("000202", "Bob", "Ray")
    var anaDN: String { "uid=agarcia,\(peopleDN)" }
    var bobDN: String { "uid=bray,\(peopleDN)" }

    /// Ana has an account in her three groups (alone in them); every managed group exists.
    func observed() -> ObservedDirectory {
        let (account, groups) = Fixtures.synced(Fixtures.person("000101", "Ana", "Garcia"), login: "agarcia")
        var members = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups { members[group] = [account.dn] }
        return Fixtures.directory([account], groups: members)
    }

    func run(_ people: [Person], fake: FakeDirectory, observed: ObservedDirectory, audit: AuditFile)
        throws -> (Plan, [ChangeOutcome]) {
        let plan = Fixtures.plan(people, observed)
        let executor = Executor(connector: fake, audit: try audit.open(), observed: observed,
                                placeholder: Fixtures.placeholder)
        try executor.apply(plan)
        return (plan, executor.outcomes)
    }

    func outcome(_ outcomes: [ChangeOutcome], _ kind: ChangeKind, dn: String, target: String? = nil)
        -> ChangeOutcome? {
        outcomes.first { $0.change.kind == kind && $0.change.dn == dn && (target == nil || $0.change.target == target) }
    }

    @Test func leaverDisablesAreSentBeforeAnythingElse() throws {
        let observed = observed()
        let fake = FakeDirectory(observed)
        let (_, outcomes) = try run([ann, leaving, bob], fake: fake, observed: observed, audit: try AuditFile())
        #expect(fake.batches.first?.map(\.summary) == ["lock \(anaDN)"])
        #expect(fake.operations[1].summary.hasPrefix("members cn=all-staff"))
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.filter { !$0.succeeded })")
        #expect(fake.account("agarcia")?.lock == .administrative)
    }

    @Test func leaverLeavingTheLastSeatKeepsThePlaceholderInTheGroup() throws {
        var observed = observed()
        observed.groups[Fixtures.groupDN("nursing")]?.members = [Fixtures.personDN("agarcia").normalized]
        let fake = FakeDirectory(observed)
        _ = try run([leaving], fake: fake, observed: observed, audit: try AuditFile())
        #expect(fake.members(of: "nursing") == [Fixtures.placeholder])
    }

    /// The removal names the member where the move put it; the group lists it there too.
    @Test func lastMemberMovedAndLeavingTheGroupInOneRunKeepsThePlaceholderInIt() throws {
        var observed = observed()
        observed.groups[Fixtures.groupDN("nursing")]?.members = [Fixtures.personDN("agarcia").normalized]
        var mover = Fixtures.person("000101", "Ana", "Garcia", jobCode: "PH01", department: "Pharmacy")
        mover.workerType = "Contractor"
        let fake = FakeDirectory(observed)
        let (plan, outcomes) = try run([mover], fake: fake, observed: observed, audit: try AuditFile())

        #expect(plan.changes.contains { $0.kind == .move })
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.filter { !$0.succeeded })")
        #expect(fake.members(of: "nursing") == [Fixtures.placeholder])
    }

    @Test func groupChangesAreBatchedOneOperationPerGroup() throws {
        let observed = observed()
        let fake = FakeDirectory(observed)
        _ = try run([ana, ann, bob], fake: fake, observed: observed, audit: try AuditFile())
        let groupOperations = fake.operations.map(\.summary).filter { $0.hasPrefix("members") }
        #expect(groupOperations == ["all-staff", "ehr-users", "nursing", "mfa-enroll"].map {
            "members cn=\($0),\(groupsDN) +2 -0"
        })
        #expect(fake.members(of: "all-staff").count == 3)
    }

    @Test func failedBatchIsRetriedValueByValueSoOnlyThatPersonFails() throws {
        let observed = observed()
        let fake = FakeDirectory(observed)
        let bobDN = bobDN
        fake.fail = { operation in
            guard case .groupMembers(_, let add, _) = operation, add.contains(bobDN) else { return nil }
            return DirectoryFailure(code: 19, message: "constraint violation")
        }
        let (_, outcomes) = try run([ann, bob], fake: fake, observed: observed, audit: try AuditFile())
        let allStaff = "cn=all-staff,\(groupsDN)"
        #expect(outcome(outcomes, .addToGroup, dn: "uid=alee,\(peopleDN)", target: allStaff)?.succeeded == true)
        #expect(outcome(outcomes, .addToGroup, dn: bobDN, target: allStaff)?.failure?.code == 19)
        #expect(fake.members(of: "all-staff").contains(Fixtures.personDN("alee")))
        #expect(!fake.members(of: "all-staff").contains(Fixtures.personDN("bray")))
        #expect(outcomes.filter { !$0.succeeded }.allSatisfy { $0.change.employeeID == "000202" })
    }

    /// The people granted "nursing" when the group does not exist yet, and the directory.
    func withoutNursing() -> (ObservedDirectory, FakeDirectory) {
        var observed = observed()
        observed.groups[Fixtures.groupDN("nursing")] = nil
        return (observed, FakeDirectory(observed))
    }

    /// The members a creation of "nursing" carried, in the order sent.
    func nursingCreations(_ fake: FakeDirectory) -> [[String]] {
        fake.operations.compactMap { operation in
            guard case .createGroup(let dn, let members) = operation,
                  dn == Fixtures.groupDN("nursing").string else { return nil }
            return members
        }
    }

    @Test func groupCreatedThisRunIsAddedWithItsMembersAfterTheirEntries() throws {
        let (observed, fake) = withoutNursing()
        let (_, outcomes) = try run([ana, ann, bob], fake: fake, observed: observed, audit: try AuditFile())

        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.filter { !$0.succeeded })")
        #expect(nursingCreations(fake) == [[anaDN, "uid=alee,\(peopleDN)", bobDN]])
        let summaries = fake.operations.map(\.summary)
        let creation = try #require(summaries.firstIndex { $0.hasPrefix("create-group") })
        #expect(summaries.lastIndex { $0.hasPrefix("create ") }! < creation)
        #expect(!summaries.contains { $0.hasPrefix("members cn=nursing") })
        #expect(fake.members(of: "nursing").count == 3)
    }

    @Test func refusedCreationWithMembersIsSentAgainWithThePlaceholderAndOnlyThatMemberFails() throws {
        let (observed, fake) = withoutNursing()
        let bobDN = bobDN
        fake.fail = { operation in
            switch operation {
            case .createGroup(_, let members) where members.contains(bobDN),
                 .groupMembers(_, let members, _) where members.contains(bobDN):
                return DirectoryFailure(code: 19, message: "constraint violation")
            default:
                return nil
            }
        }
        let (_, outcomes) = try run([ana, ann, bob], fake: fake, observed: observed, audit: try AuditFile())

        #expect(nursingCreations(fake) == [[anaDN, "uid=alee,\(peopleDN)", bobDN], [Fixtures.placeholder.string]])
        let nursing = Fixtures.groupDN("nursing").string
        #expect(outcome(outcomes, .createGroup, dn: nursing)?.succeeded == true)
        #expect(outcome(outcomes, .addToGroup, dn: bobDN, target: nursing)?.failure?.code == 19)
        #expect(outcome(outcomes, .addToGroup, dn: anaDN, target: nursing)?.succeeded == true)
        #expect(fake.members(of: "nursing") == Set([Fixtures.placeholder, Fixtures.personDN("agarcia"),
                                                    Fixtures.personDN("alee")]))
        #expect(outcomes.filter { !$0.succeeded }.allSatisfy { $0.change.employeeID == "000202" })
    }

    @Test func batchInFlightWhenTheConnectionIsLostKeepsAnOutcomeForEachOfItsChanges() throws {
        let observed = observed()
        let fake = FakeDirectory(observed)
        fake.dropConnection = { $0.summary.hasPrefix("members cn=ehr-users") }
        let (plan, outcomes) = try run([ana, ann, bob], fake: fake, observed: observed, audit: try AuditFile())

        #expect(outcomes.count == plan.changes.count)
        let ehr = "cn=ehr-users,\(groupsDN)"
        let inFlight = outcomes.filter { $0.change.target == ehr }
        #expect(inFlight.count == 2 && inFlight.allSatisfy { $0.failure?.outcomeUnknown == true })
        #expect(outcome(outcomes, .addToGroup, dn: bobDN, target: "cn=nursing,\(groupsDN)")?.skipped?
            .contains("connection was lost") == true)
    }

    /// A fake directory that refuses Bob's entry as a schema violation.
    func failingBobsCreation(_ observed: ObservedDirectory) -> FakeDirectory {
        let fake = FakeDirectory(observed)
        let bobDN = bobDN
        fake.fail = { operation in
            guard case .create(let dn, _, _, _) = operation, dn == bobDN else { return nil }
            return DirectoryFailure(code: 65, message: "object class violation")
        }
        return fake
    }

    @Test func failedCreateSkipsThatPersonsGroupAdds() throws {
        let observed = observed()
        let fake = failingBobsCreation(observed)
        let (_, outcomes) = try run([ana, ann, bob], fake: fake, observed: observed, audit: try AuditFile())
        let bobs = outcomes.filter { $0.change.employeeID == "000202" }
        #expect(bobs.first?.change.kind == .createAccount)
        #expect(bobs.first?.failure?.code == 65)
        #expect(bobs.dropFirst().map(\.change.kind) == [.addToGroup, .addToGroup, .addToGroup, .flagMFAEnrollment])
        #expect(bobs.dropFirst().allSatisfy { $0.skipped?.contains("account creation or move failed") == true })
        #expect(outcomes.filter { $0.change.employeeID == "000201" }.allSatisfy { $0.succeeded })
        #expect(!fake.operations.contains { $0.summary.contains("+2") }, "Bob must not be in the group batch")
    }

    @Test func refusedDisableIsReportedFailedWhileOtherChangesApply() throws {
        let observed = observed()
        let fake = FakeDirectory(observed)
        fake.disableProblem = "no password policy with pwdLockout: TRUE applies"
        let audit = try AuditFile()
        let run = SyncRun(config: Fixtures.config(), instant: Fixtures.runInstant, override: nil)
        let plan = run.plan(feed: Fixtures.feed([leaving, ann]), directory: observed)
        let result = try run.apply(plan, directory: observed, connector: fake, audit: try audit.open())
        let disable = try #require(result.outcomes.first { $0.change.kind == .disable })
        #expect(disable.failure?.message.contains("pwdLockout") == true)
        #expect(!fake.operations.contains { $0.summary.hasPrefix("lock") })
        #expect(fake.account("agarcia")?.lock == AccountLock.none)
        #expect(fake.account("alee") != nil)
        #expect(result.outcomes.filter { !$0.succeeded }.map(\.change.kind) == [.disable])
        #expect(result.status == .partial)
    }

    @Test func everyOutcomeHasAnAuditLine() throws {
        let observed = observed()
        let fake = failingBobsCreation(observed)
        let audit = try AuditFile()
        let (_, outcomes) = try run([leaving, ann, bob], fake: fake, observed: observed, audit: audit)
        let records = try audit.records().filter { $0.event == "change" }
        #expect(records.count == outcomes.count)
        #expect(records.map(\.action) == outcomes.map(\.change.kind.rawValue))
        #expect(records.map(\.dn) == outcomes.map(\.change.dn))
        #expect(records.map(\.result) == outcomes.map { $0.failure != nil ? "error" : ($0.skipped != nil ? "skipped" : "ok") })
        let disable = try #require(records.first)
        #expect(disable.action == "disable")
        #expect(disable.employeeID == "000101")
        #expect(disable.after?["state"] == ["idsync:v1;disabled=leaver;disabled-on=2024-03-15;revoke"])
        #expect(records.first { $0.result == "error" }?.error?.code == 65)
        #expect(records.allSatisfy { $0.run == "run-1" && $0.actor.bindIdentity == "cn=idsync" })

        let removal = try #require(records.first { $0.action == "remove-from-group" })
        let group = try #require(removal.target)
        #expect(removal.before == ["memberOf": [group]] && removal.after == ["memberOf": []])
        let grant = try #require(records.first { $0.action == "add-to-group" })
        let granted = try #require(grant.target)
        #expect(grant.before == ["memberOf": []] && grant.after == ["memberOf": [granted]])
    }

    @Test func secondPlanAfterApplyingIsEmpty() throws {
        var mover = Fixtures.person("000101", "Ana", "Garcia", jobCode: "EHR-SU")
        mover.workerType = "Contractor"
        let observed = observed()
        var withLeaver = observed
        let (old, _) = Fixtures.synced(Fixtures.person("000150", "Old", "Timer", department: "Facilities"),
                                       login: "otimer")
        withLeaver.accounts.append(old)
        withLeaver.groups[Fixtures.groupDN("all-staff")]?.members.insert(old.dn.normalized)
        let starter = Fixtures.person("000400", "Noor", "Khan", hired: "2024-03-20")
        let fake = FakeDirectory(withLeaver)
        let (first, outcomes) = try run([mover, ann, bob, starter], fake: fake, observed: withLeaver,
                                        audit: try AuditFile())
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.filter { !$0.succeeded }.map { summary($0.change) })")
        #expect(first.changes.contains { $0.kind == .move })
        #expect(first.changes.contains { $0.kind == .disable })
        let second = Fixtures.plan([mover, ann, bob, starter], try fake.observe())
        #expect(second.changes.isEmpty, "\(summaries(second))")
    }
}

@Suite struct AuditLogTests {
    @Test func auditFileIsCreatedWithMode0600() throws {
        let audit = try AuditFile()
        let log = try audit.open()
        try log.append { $0.event = "start" }
        let attributes = try FileManager.default.attributesOfItem(atPath: audit.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func recordsAreAppendedOneJSONObjectPerLine() throws {
        let audit = try AuditFile()
        try audit.open().append { $0.event = "start" }
        try audit.open().append { record in
            record.action = "disable"
            record.dn = "uid=a,\(peopleDN)"
        }
        let records = try audit.records()
        #expect(records.map(\.event) == ["start", "change"])
        #expect(records[1].dn == "uid=a,\(peopleDN)")
        let text = try String(contentsOfFile: audit.path, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(!text.contains("\\/"), "slashes stay readable")
    }

    @Test func recordsKeptBackGoOutBeforeTheNextRecordInOrder() throws {
        let audit = try AuditFile()
        let log = try audit.open()
        try log.appendLater { $0.action = "first" }
        try log.appendLater { $0.action = "second" }
        #expect(try audit.records().isEmpty, "kept back until something is written")
        try log.appendAll(["third"]) { action, record in record.action = action }
        try log.appendLater { $0.action = "fourth" }
        try log.append { $0.action = "fifth" }
        #expect(try audit.records().compactMap(\.action)
                == ["first", "second", "third", "fourth", "fifth"])
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        let instant = Date(timeIntervalSince1970: 1_796_350_507.123_5)   // 2026-12-04T02:15:07.123Z
        #expect(AuditLog.timestamp(instant) == "2026-12-04T02:15:07.123Z")
        #expect(AuditLog.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(AuditLog.timestamp(Date(timeIntervalSince1970: 951_868_799.5))
                == "2000-02-29T23:59:59.500Z")
    }

    @Test func unwritableAuditPathThrowsNamingIt() {
        #expect {
            try AuditLog(path: "/nonexistent-idsync/audit.jsonl", run: "r",
                         actor: Actor(bindIdentity: "x", osUser: "y", reason: nil))
        } throws: { error in
            "\(error)".contains("/nonexistent-idsync/audit.jsonl")
        }
    }
}

@Suite struct RunLockTests {
    func lockPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("idsync-\(UUID().uuidString).lock").path
    }

    @Test func secondLockOnTheSamePathThrowsHeld() throws {
        let path = lockPath()
        let first = try RunLock(path: path)
        #expect {
            try RunLock(path: path)
        } throws: { error in
            guard case RunLockError.held(let held) = error else { return false }
            return held == path
        }
        withExtendedLifetime(first) {}
    }

    @Test func lockIsFreeAgainOnceReleased() throws {
        let path = lockPath()
        do { _ = try RunLock(path: path) }
        let again = try RunLock(path: path)
        #expect(again.path == path)
    }
}

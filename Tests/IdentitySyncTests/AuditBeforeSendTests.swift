import Foundation
import Testing

@testable import IdentitySync

@Suite struct AuditBeforeSendTests {
    /// The (dn, target) pairs of the attempt records on disk now.
    func attemptsOnDisk(_ audit: AuditFile) -> Set<String> {
        let records = (try? audit.records()) ?? []
        return Set(
            records.filter { $0.event == "attempt" }.map { "\($0.dn ?? "") \($0.target ?? "")" })
    }

    /// What each operation changes, as the attempt records name it.
    func pairs(_ operation: DirectoryOperation) -> [String] {
        switch operation {
        case .create(let dn, _, _, _): return ["\(dn) "]
        case .update(let dn, _, _, _, _): return ["\(dn) "]
        case .rename(let dn, let newDN): return ["\(dn) \(newDN)"]
        case .createGroup(let dn, _): return ["\(dn) "]
        case .groupMembers(let group, let add, let remove):
            return (add + remove).filter { $0 != Fixtures.placeholder.string }.map {
                "\($0) \(group)"
            }
        }
    }

    @Test func everyChangesAttemptIsOnDiskBeforeItIsSent() throws {
        let (account, groups) = Fixtures.synced(
            Fixtures.person("000101", "Ana", "Garcia"), login: "agarcia")
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups { members[group] = [account.dn] }
        let observed = Fixtures.directory([account], groups: members)
        let fake = FakeDirectory(observed)
        let audit = try AuditFile()
        var unrecorded: [String] = []
        var sends = 0
        fake.beforeWrite = { operation in
            sends += 1
            let onDisk = attemptsOnDisk(audit)
            unrecorded += pairs(operation).filter { !onDisk.contains($0) }
        }
        let people = [
            Fixtures.person(
                "000101", "Ana", "Garcia", status: .terminated, terminated: "2024-03-01"),
            Fixtures.person("000201", "Ann", "Lee"), Fixtures.person("000202", "Bob", "Ray"),
        ]
        let executor = Executor(
            connector: fake, audit: try audit.open(), observed: observed,
            placeholder: Fixtures.placeholder)

        try executor.apply(Fixtures.plan(people, observed))

        #expect(sends >= 3)
        #expect(unrecorded.isEmpty, "sent before its attempt was recorded: \(unrecorded)")
        let records = try audit.records()
        let firstResult = try #require(records.firstIndex { $0.event == "change" })
        #expect(
            records[..<firstResult].contains { $0.event == "attempt" && $0.action == "disable" })
    }

    /// The second batch's attempts are written once the first batch is on its way, within
    /// the same pipelined write (which never drains between batches), not all before it:
    /// that keeps slapd busy while the records are written.
    @Test func attemptsGoToTheDiskOneBatchAheadOfTheirWrites() throws {
        let observed = Fixtures.directory(
            [],
            groups: Dictionary(
                uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) }))
        let fake = FakeDirectory(observed)
        let audit = try AuditFile()
        var creates = 0
        var createAttemptsOnDisk: [Int: Int] = [:]   // the n-th create sent -> attempts on disk
        fake.beforeWrite = { operation in
            guard case .create = operation else { return }
            creates += 1
            let batch = Executor.attemptBatch
            guard [1, batch, batch + 1].contains(creates) else { return }
            let records = (try? audit.records()) ?? []
            createAttemptsOnDisk[creates] =
                records.filter { $0.event == "attempt" && $0.action == "create-account" }.count
        }
        let count = Executor.attemptBatch + 40
        let people = (0..<count).map {
            Fixtures.person(String(format: "%06d", 1000 + $0), "Ann", "Lee\($0)")
        }
        let executor = Executor(
            connector: fake, audit: try audit.open(), observed: observed,
            placeholder: Fixtures.placeholder)

        try executor.apply(Fixtures.plan(people, observed))

        #expect(creates == count)
        let creationWrites = fake.batches.filter { batch in
            batch.contains { if case .create = $0 { true } else { false } }
        }
        #expect(creationWrites.count == 1)
        #expect(createAttemptsOnDisk[1] == Executor.attemptBatch)
        #expect(createAttemptsOnDisk[Executor.attemptBatch] == Executor.attemptBatch)
        #expect(createAttemptsOnDisk[Executor.attemptBatch + 1] == count)
        #expect(executor.outcomes.allSatisfy { $0.succeeded })
    }

    @Test func aFullAuditDiskStopsTheRunBeforeAnyWrite() throws {
        let observed = Fixtures.directory(
            [],
            groups: Dictionary(
                uniqueKeysWithValues: Fixtures.allGroups.map {
                    ($0, [Fixtures.placeholder])
                }))
        let fake = FakeDirectory(observed)
        // A full disk on demand: /dev/full, opened here since AuditLog(path:) refuses a device.
        let audit = AuditLog(
            descriptor: open("/dev/full", O_WRONLY | O_APPEND | O_CLOEXEC), path: "/dev/full",
            run: "r", actor: Actor(bindIdentity: "x", osUser: "y", reason: nil))
        let executor = Executor(
            connector: fake, audit: audit, observed: observed, placeholder: Fixtures.placeholder)

        #expect {
            try executor.apply(Fixtures.plan([Fixtures.person("000201", "Ann", "Lee")], observed))
        } throws: { error in
            guard let error = error as? AuditError else { return false }
            return error.changesSent == 0 && !error.isSetupProblem
                && "\(error)".contains(
                    "cannot write the audit log /dev/full (write: No space left on device)")
        }
        #expect(fake.operations.isEmpty)
    }
}

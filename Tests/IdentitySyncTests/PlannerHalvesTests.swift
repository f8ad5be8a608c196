import Foundation
import Testing

@testable import IdentitySync

/// A large feed is planned in two halves on two threads (`Planner.planEach`); the plan must be
/// the one a single thread makes, change for change and finding for finding, in order.
@Suite struct PlannerHalvesTests {
    @Test func twoHalvesPlanWhatOneThreadPlans() {
        let (people, directory) = mixedFeed(size: 60)
        var oneThread = Planner(config: Fixtures.config(), instant: Fixtures.runInstant)
        oneThread.parallelFrom = .max
        var twoThreads = oneThread
        twoThreads.parallelFrom = 2

        let expected = oneThread.plan(feed: Fixtures.feed(people), directory: directory)
        let halves = twoThreads.plan(feed: Fixtures.feed(people), directory: directory)

        // Compared as summaries first, so that a failure prints lines a person can read.
        #expect(halves.changes.map(summary) == expected.changes.map(summary))
        let sameChanges = halves.changes == expected.changes
        let sameFindings = halves.findings == expected.findings
        #expect(sameChanges, "the changes differ beyond kind, DN and target")
        #expect(sameFindings, "findings: \(halves.findings.map(\.text))")
        #expect(halves.summary == expected.summary)
        // Both halves had every kind of work, or the comparison proves little.
        let kinds = Set(expected.changes.map(\.kind))
        let wanted: [ChangeKind] = [.createAccount, .setAttributes, .disable, .addToGroup,
                                    .removeFromGroup]
        for kind in wanted {
            #expect(kinds.contains(kind), "\(kind) missing from the mixed feed")
        }
        #expect(!expected.findings.isEmpty)
    }

    /// Sixty people, a fifth each: joiners, movers, leavers, people in the state their
    /// account already has, and people with a duplicated account (a finding). Each joiner
    /// manages the next mover, so manager links cross the halves.
    private func mixedFeed(size: Int) -> ([Person], ObservedDirectory) {
        var people: [Person] = []
        var accounts: [ObservedAccount] = []
        var groups = Dictionary(uniqueKeysWithValues: Fixtures.allGroups.map {
            ($0, [DistinguishedName]())
        })
        func synced(_ person: Person, _ login: String) {
            let (account, memberships) = Fixtures.synced(person, login: login)
            accounts.append(account)
            for group in memberships { groups[group, default: []].append(account.dn) }
        }

        for index in 0..<size {
            let id = String(format: "%06d", 100 + index)
            let name = "Person\(index)"
            switch index % 5 {
            case 0:
                people.append(Fixtures.person(id, "Joiner", name))
            case 1:
                synced(Fixtures.person(id, "Mover", name), "mover\(index)")
                people.append(Fixtures.person(id, "Mover", name, jobCode: "MD01",
                                              department: "Cardiology",
                                              manager: String(format: "%06d", 99 + index)))
            case 2:
                let leaver = Fixtures.person(id, "Leaver", name)
                synced(leaver, "leaver\(index)")
                people.append(Fixtures.person(id, "Leaver", name, status: .terminated,
                                              terminated: "2024-03-01"))
            case 3:
                let steady = Fixtures.person(id, "Steady", name)
                synced(steady, "steady\(index)")
                people.append(steady)
            default:
                let twice = Fixtures.person(id, "Twice", name)
                synced(twice, "twice\(index)")
                synced(twice, "twice\(index)b")
                people.append(twice)
            }
        }
        return (people, Fixtures.directory(accounts, groups: groups))
    }
}

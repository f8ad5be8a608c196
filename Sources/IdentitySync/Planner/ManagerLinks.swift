import Foundation

/// HR's manager links checked across the feed: a person who is their own manager, people
/// who manage each other round a loop, and a manager id that no row of the feed carries.
///
/// Each is a `manager` finding naming the employee ids and the row. Nothing is withheld: the
/// person's changes are planned as the mapping says, and a manager id no row carries gives an
/// empty `manager_dn`, as before. A run with only these findings exits 0: HR fixes them, and
/// no access waits on them (a cron alert every night for a departed manager's id would bury
/// the alerts that matter).
struct ManagerLinks {
    /// The feed's people, in key order.
    let people: [Person]
    /// Keys of rows set aside: such a manager is in the feed, though not usable this run.
    let quarantinedKeys: Set<String>
    /// The layout's name for the manager id, as the export spells it.
    let column: String

    func findings() -> [Finding] {
        var findings: [Finding] = []
        var managerIndex = [Int](repeating: -1, count: people.count)
        // The keys side by side: most ids are short enough to be stored inline, so the
        // searches below stay in one small array instead of visiting every person.
        let keys = people.map(\.key)
        for (index, person) in people.enumerated() {
            guard let id = person.managerID, !id.isEmpty else { continue }
            let key = Person.key(id)
            if key == person.key {
                findings.append(finding(person, "\(column) \(id) is the person's own employee "
                    + "id: HR lists them as their own manager; fix the record in HR"))
            } else if let manager = ManagerLinks.position(of: key, in: keys) {
                managerIndex[index] = manager
            } else if !quarantinedKeys.contains(key) {
                findings.append(finding(person, "\(column) \(id) is the employee id of no row in "
                    + "the feed, so manager_dn is empty for them; fix the record in HR, or "
                    + "check that the export holds the manager"))
            }
        }
        return findings + loops(managerIndex)
    }

    /// Every loop of two or more people, one finding for each person in it, the loop
    /// written from that person round to them again. Each person is walked once.
    private func loops(_ managerIndex: [Int]) -> [Finding] {
        var findings: [Finding] = []
        var state = [UInt8](repeating: 0, count: people.count)    // 0 new, 1 on path, 2 done
        for start in people.indices where state[start] == 0 {
            var path: [Int] = []
            var index = start
            while index >= 0 && state[index] == 0 {
                state[index] = 1
                path.append(index)
                index = managerIndex[index]
            }
            if index >= 0, state[index] == 1, let first = path.firstIndex(of: index) {
                findings += loopFindings(Array(path[first...]))
            }
            for member in path { state[member] = 2 }
        }
        return findings
    }

    private func loopFindings(_ loop: [Int]) -> [Finding] {
        loop.indices.map { offset in
            let round = loop[offset...] + loop[..<offset] + [loop[offset]]
            let ids = round.map { people[$0].employeeID }.joined(separator: " → ")
            return finding(people[loop[offset]], "\(column) makes a manager loop, \(ids): "
                + "each manages the next and none reports outside it; fix the records in HR")
        }
    }

    private func finding(_ person: Person, _ text: String) -> Finding {
        Finding(kind: .manager, employeeID: person.employeeID, dn: nil,
                text: "\(person.source): \(text)")
    }

    /// Where `key` stands in `keys`, which are in order.
    private static func position(of key: String, in keys: [String]) -> Int? {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == key ? low : nil
    }
}

extension FeedSnapshot {
    /// The `manager` findings a plan made from this feed carries, for `validate`, which
    /// plans nothing.
    public func managerFindings(layout: FeedLayout) -> [Finding] {
        ManagerLinks(people: Planner.inKeyOrder(people), quarantinedKeys: quarantinedKeys,
                            column: layout.columns[.managerID] ?? "manager_id").findings()
    }
}

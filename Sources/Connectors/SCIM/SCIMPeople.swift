import Foundation
import IdentitySync

/// Turns the Users of a complete read into people, by the same rules as CSV rows: a user
/// with a bad value is quarantined on its own, and one that still states a termination
/// plainly is still disabled.
struct SCIMPeople {
    let layout: FeedLayout
    /// The Users URL; each person's source is the URL of their resource.
    let origin: String

    private var people: [Person] = []
    private var quarantined: [QuarantinedRecord] = []
    private var notices: [String] = []
    private var indexByKey: [String: Int] = [:]

    init(layout: FeedLayout, origin: String) {
        self.layout = layout
        self.origin = origin
    }

    static func snapshot(_ read: SCIMRead, layout: FeedLayout, origin: String) -> FeedSnapshot {
        var builder = SCIMPeople(layout: layout, origin: origin)
        // manager.value holds the manager's SCIM id; the planner knows people by employee id.
        var employeeIDs: [String: String] = [:]
        employeeIDs.reserveCapacity(read.users.count)
        for user in read.users { employeeIDs[user.id] = HRValue.cleaned(user.value(.employeeID)) }
        builder.people.reserveCapacity(read.users.count)
        for user in read.users { builder.add(user, employeeIDs: employeeIDs) }
        return builder.finish(rowCount: read.users.count)
    }

    private func source(_ user: SCIMUser) -> String {
        user.userName.isEmpty ? "\(origin)/\(user.id)" : "\(origin)/\(user.id) (\(user.userName))"
    }

    private func attribute(_ field: HRField) -> String {
        "attribute '\(layout.columns[field] ?? field.rawValue)'"
    }

    private mutating func add(_ user: SCIMUser, employeeIDs: [String: String]) {
        var problems = user.problems
        let person = build(user, employeeIDs: employeeIDs, problems: &problems)
        guard problems.isEmpty else {
            quarantine(person, problems: problems)
            return
        }
        keep(person)
    }

    private func build(_ user: SCIMUser, employeeIDs: [String: String], problems: inout [String])
        -> Person
    {
        let value = { (field: HRField) in HRValue.cleaned(user.value(field)) }
        let id = value(.employeeID)
        if id.isEmpty { problems.append("\(attribute(.employeeID)) is empty") }
        let statusText = value(.status)
        let status = layout.statusValues[statusText.lowercased()]
        if status == nil {
            let known = layout.statusValues.keys.sorted().joined(separator: ", ")
            problems.append(
                "\(attribute(.status)): '\(statusText)' is not a status the layout knows (\(known))"
            )
        }
        for field in [HRField.firstName, .lastName, .hireDate]
        where layout.columns[field] != nil && value(field).isEmpty {
            problems.append("\(attribute(field)) is empty")
        }
        for field in HRField.allCases {
            guard let unfit = HRValue.spacingProblem(user.value(field), field: field)
                ?? HRValue.problem(value(field)) else { continue }
            problems.append("\(attribute(field)) \(unfit); fix the value in HR")
        }
        let workerType = value(.workerType)
        let preferred = value(.preferredName)
        let manager = value(.managerID)
        return Person(
            employeeID: id, firstName: value(.firstName),
            preferredName: preferred.isEmpty ? nil : preferred,
            lastName: value(.lastName), jobTitle: value(.jobTitle), jobCode: value(.jobCode),
            department: value(.department), location: value(.location), workerType: workerType,
            workerCategory: layout.contractorTypes.contains(workerType.lowercased())
                ? .contractor : .employee,
            status: status ?? .active,
            hireDate: date(.hireDate, value(.hireDate), problems: &problems),
            terminationDate: date(.terminationDate, value(.terminationDate), problems: &problems),
            contractEndDate: date(.contractEndDate, value(.contractEndDate), problems: &problems),
            managerID: manager.isEmpty ? nil : (employeeIDs[manager] ?? manager),
            source: source(user))
    }

    /// A dateTime (`2026-01-15T00:00:00Z`) is read as the calendar date it is written with:
    /// a hire date is a day in HR's calendar, not an instant to move between zones.
    private func date(_ field: HRField, _ text: String, problems: inout [String]) -> LocalDate? {
        guard !text.isEmpty else { return nil }
        do {
            return try parseDate(text)
        } catch let error as DateValueError where error.outOfRange {
            problems.append("\(attribute(field)): \(error)")
        } catch {
            problems.append(
                "\(attribute(field)): '\(text)' is not a date in the layout \(layout.dateLayout) "
                    + "nor a dateTime")
        }
        return nil
    }

    /// The date a dateTime is written with, or the layout's date.
    private func parseDate(_ text: String) throws -> LocalDate {
        let utf8 = Array(text.utf8)
        guard utf8.count > 10, utf8[10] == UInt8(ascii: "T") else {
            return try layout.dateLayout.parse(text)
        }
        do {
            return try DateLayout("yyyy-MM-dd").parse(String(text.prefix(10)))
        } catch let error as DateValueError where error.outOfRange {
            throw error
        } catch {
            return try layout.dateLayout.parse(text)
        }
    }

    /// A bad user still disables when its employee id and its termination are both plain.
    private mutating func quarantine(_ person: Person, problems: [String]) {
        let id = person.employeeID.isEmpty ? nil : person.employeeID
        let statusBad = problems.contains { $0.hasPrefix(attribute(.status)) }
        let dateBad = problems.contains { $0.hasPrefix(attribute(.terminationDate)) }
        let plain =
            id != nil && !statusBad && !dateBad
            && (person.status == .terminated || person.terminationDate != nil)
        quarantined.append(
            QuarantinedRecord(
                source: person.source, employeeID: id, problems: problems,
                termination: plain ? person : nil))
    }

    /// One employee id on two users is an error naming both, except a worker conversion
    /// (a terminated user and an active one), where the active one wins.
    private mutating func keep(_ person: Person) {
        guard let index = indexByKey[person.key] else {
            indexByKey[person.key] = people.count
            people.append(person)
            return
        }
        let first = people[index]
        let conversion = (first.status == .terminated) != (person.status == .terminated)
        guard conversion else {
            let text =
                "employee id \(person.employeeID) is on two users, \(first.source) and "
                + "\(person.source); HR must keep one record per person"
            for twin in [first, person] {
                quarantined.append(
                    QuarantinedRecord(
                        source: twin.source, employeeID: twin.employeeID,
                        problems: [text], termination: nil))
            }
            people[index].employeeID = ""  // removed in finish()
            return
        }
        let active = first.status == .terminated ? person : first
        notices.append(
            "employee id \(person.employeeID): \(first.source) and \(person.source) are a "
                + "terminated and an active record (a worker conversion); the active one "
                + "(\(active.source)) is used"
        )
        people[index] = active
    }

    private mutating func finish(rowCount: Int) -> FeedSnapshot {
        people.removeAll { $0.employeeID.isEmpty }
        people.sort { $0.key < $1.key }
        return FeedSnapshot(
            people: people, quarantined: quarantined, notices: notices,
            rowCount: rowCount, origin: origin)
    }
}

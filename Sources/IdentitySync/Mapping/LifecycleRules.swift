import Foundation

/// A person's lifecycle state on one local date, and what the report must say about it.
public struct LifecycleDecision: Sendable, Equatable {
    public let state: Lifecycle
    public let localDate: LocalDate
    /// Set where HR's status and dates disagree; the date won.
    public let conflict: String?
    public let evidence: [FieldEvidence]
}

/// Applies DESIGN's lifecycle table to one person on the run's instant.
public struct LifecycleRules: Sendable {
    public let instant: Date
    public let zoneForLocation: @Sendable (String) -> TimeZone

    /// The run's date in each zone seen so far: a calendar per person was most of the cost
    /// of deciding 100,000 lifecycles.
    private let dates = LocalDateCache()

    public init(instant: Date, zoneForLocation: @escaping @Sendable (String) -> TimeZone) {
        self.instant = instant
        self.zoneForLocation = zoneForLocation
    }

    func localDate(in zone: TimeZone) -> LocalDate {
        dates.date(instant, in: zone)
    }

    /// The termination date is the last day worked: the person is a leaver from the next
    /// local midnight. A contract end date works the same way.
    public func decide(_ person: Person) -> LifecycleDecision {
        let today = localDate(in: zoneForLocation(person.location))

        // Dates first: where a date and the status disagree, the date wins.
        if let last = person.terminationDate, today > last {
            let conflict = person.status == .terminated ? nil
                : "HR status is \(person.status.rawValue) but the termination date \(last) has passed"
            return LifecycleDecision(state: .leaver, localDate: today, conflict: conflict,
                                     evidence: [FieldEvidence(field: "termination_date", value: "\(last)")])
        }
        if let end = person.contractEndDate, today > end {
            return LifecycleDecision(state: .contractEnded, localDate: today, conflict: nil,
                                     evidence: [FieldEvidence(field: "contract_end_date", value: "\(end)")])
        }
        if person.status == .terminated, person.terminationDate == nil {
            return LifecycleDecision(state: .leaver, localDate: today, conflict: nil,
                                     evidence: [FieldEvidence(field: "status", value: "terminated")])
        }
        return decideEmployed(person, today: today)
    }

    private func decideEmployed(_ person: Person, today: LocalDate) -> LifecycleDecision {
        var conflict: String?
        if person.status == .terminated, let last = person.terminationDate {
            conflict = "HR status is terminated but the last day worked, \(last), is not over yet in the "
                + "person's time zone; the account stays enabled until it is"
        }
        if let hire = person.hireDate, hire > today {
            return LifecycleDecision(state: .preHire, localDate: today, conflict: conflict,
                                     evidence: [FieldEvidence(field: "hire_date", value: "\(hire)")])
        }
        if person.status == .leaveOfAbsence {
            return LifecycleDecision(state: .leaveOfAbsence, localDate: today, conflict: conflict,
                                     evidence: [FieldEvidence(field: "status", value: "leave-of-absence")])
        }
        return LifecycleDecision(state: .active, localDate: today, conflict: conflict, evidence: [])
    }
}

/// Local dates of one instant by zone identifier. A class so that the rules, a value type
/// shared by reference in the planner, fill it as they go; locked, since the planner's two
/// halves ask from two threads.
final class LocalDateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var dates: [String: LocalDate] = [:]

    func date(_ instant: Date, in zone: TimeZone) -> LocalDate {
        lock.withLock {
            if let known = dates[zone.identifier] { return known }
            let date = LocalDate(instant, in: zone)
            dates[zone.identifier] = date
            return date
        }
    }
}

import Foundation
import Testing

@testable import IdentitySync

struct LifecycleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let person: Person
    let instant: String
    let state: Lifecycle
    let conflict: Bool
    var testDescription: String { name }
}

@Suite struct LifecycleTests {
    /// Dates are written by hand, not through a format string: every width and the padding.
    @Test func datesAreWrittenYearMonthDayWithZeroPadding() {
        let dates = [(1, 1, 1), (999, 2, 28), (2024, 2, 29), (2026, 12, 4), (9999, 12, 31)]
        let written = dates.map { "\(LocalDate(year: $0.0, month: $0.1, day: $0.2)!)" }
        #expect(written == ["0001-01-01", "0999-02-28", "2024-02-29", "2026-12-04", "9999-12-31"])
    }

    let rules = LifecycleRules(instant: Fixtures.runInstant) { location in
        Fixtures.config().zone(forLocation: location)
    }

    func decide(_ person: Person, at instant: String) -> LifecycleDecision {
        LifecycleRules(instant: Fixtures.instant(instant)) { Fixtures.config().zone(forLocation: $0) }
            .decide(person)
    }

    // New York is UTC-4 from 10 March 2024, Denver UTC-6.
    static let cases: [LifecycleCase] = [
        .init(name: "last day worked is still active at 23:59 local",
              person: Fixtures.person("1", terminated: "2024-03-14"), instant: "2024-03-15T03:59:00Z",
              state: .active, conflict: false),
        .init(name: "leaver from the next local midnight",
              person: Fixtures.person("1", status: .terminated, terminated: "2024-03-14"),
              instant: "2024-03-15T04:00:00Z", state: .leaver, conflict: false),
        .init(name: "Denver is still on the last day when New York has moved on",
              person: Fixtures.person("1", location: "Denver Clinic", status: .terminated, terminated: "2024-03-14"),
              instant: "2024-03-15T05:00:00Z", state: .active, conflict: true),
        .init(name: "the same instant makes a New York person a leaver",
              person: Fixtures.person("1", location: "Main Campus", status: .terminated, terminated: "2024-03-14"),
              instant: "2024-03-15T05:00:00Z", state: .leaver, conflict: false),
        .init(name: "Denver person is a leaver from Denver's midnight",
              person: Fixtures.person("1", location: "denver clinic", status: .terminated, terminated: "2024-03-14"),
              instant: "2024-03-15T06:00:00Z", state: .leaver, conflict: false),
        .init(name: "contract end passed",
              person: Fixtures.person("1", workerType: "Contractor", contractEnds: "2024-03-14"),
              instant: "2024-03-15T17:00:00Z", state: .contractEnded, conflict: false),
        .init(name: "contract ends today",
              person: Fixtures.person("1", workerType: "Contractor", contractEnds: "2024-03-15"),
              instant: "2024-03-15T17:00:00Z", state: .active, conflict: false),
        .init(name: "terminated with no date is a leaver",
              person: Fixtures.person("1", status: .terminated), instant: "2024-03-15T17:00:00Z",
              state: .leaver, conflict: false),
        .init(name: "terminated with a future date stays active with a conflict",
              person: Fixtures.person("1", status: .terminated, terminated: "2024-03-20"),
              instant: "2024-03-15T17:00:00Z", state: .active, conflict: true),
        .init(name: "date passed but status active is a leaver with a conflict",
              person: Fixtures.person("1", status: .active, terminated: "2024-03-01"),
              instant: "2024-03-15T17:00:00Z", state: .leaver, conflict: true),
        .init(name: "hire date ahead is a pre-hire",
              person: Fixtures.person("1", hired: "2024-03-16"), instant: "2024-03-15T17:00:00Z",
              state: .preHire, conflict: false),
        .init(name: "hire date today is active",
              person: Fixtures.person("1", hired: "2024-03-15"), instant: "2024-03-15T17:00:00Z",
              state: .active, conflict: false),
        .init(name: "leave of absence",
              person: Fixtures.person("1", status: .leaveOfAbsence), instant: "2024-03-15T17:00:00Z",
              state: .leaveOfAbsence, conflict: false),
    ]

    @Test(arguments: cases)
    func lifecycleStateFollowsTheLocalDate(_ example: LifecycleCase) {
        let decision = decide(example.person, at: example.instant)
        #expect(decision.state == example.state)
        #expect((decision.conflict != nil) == example.conflict, "conflict: \(decision.conflict ?? "none")")
    }

    @Test func leaverDecisionCarriesTheTerminationDateAsEvidence() {
        let decision = decide(Fixtures.person("1", status: .terminated, terminated: "2024-03-14"),
                              at: "2024-03-15T17:00:00Z")
        #expect(decision.evidence == [FieldEvidence(field: "termination_date", value: "2024-03-14")])
        #expect(decision.localDate == Fixtures.date("2024-03-15"))
    }

    @Test func localDateIsThePersonsZoneNotTheSites() {
        let decision = decide(Fixtures.person("1", location: "Denver Clinic"), at: "2024-03-15T05:00:00Z")
        #expect(decision.localDate == Fixtures.date("2024-03-14"))
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// HR's manager links across the feed: own manager, loops and ids no row carries.
@Suite struct ManagerLinkTests {
    func managerFindings(_ people: [Person], quarantined: [QuarantinedRecord] = []) -> [Finding] {
        Fixtures.plan(people, Fixtures.directory([]), quarantined: quarantined)
            .findings.filter { $0.kind == .manager }
    }

    @Test func aPersonWhoIsTheirOwnManagerIsAFinding() {
        let findings = managerFindings([
            Fixtures.person("000101", manager: "000101"), Fixtures.person("000102"),
        ])

        #expect(findings.map(\.employeeID) == ["000101"])
        #expect(findings.first?.text == "hr/test.csv:000101: manager_id 000101 is the "
                    + "person's own employee id: HR lists them as their own manager; fix the "
                    + "record in HR")
    }

    @Test func everyoneInAManagerLoopIsNamedWithTheWholeLoop() {
        let findings = managerFindings([
            Fixtures.person("000101", manager: "000102"),
            Fixtures.person("000102", manager: "000103"),
            Fixtures.person("000103", manager: "000101"),
            // Reports into the loop without being in it.
            Fixtures.person("000104", manager: "000101"),
        ])

        #expect(findings.map(\.employeeID) == ["000101", "000102", "000103"])
        #expect(findings.first?.text == "hr/test.csv:000101: manager_id makes a manager "
                    + "loop, 000101 → 000102 → 000103 → 000101: each manages the next and none "
                    + "reports outside it; fix the records in HR")
        #expect(findings[1].text.contains("000102 → 000103 → 000101 → 000102"))
    }

    @Test func aManagerIDNoRowCarriesIsAFindingAndLeavesTheManagerEmpty() {
        let plan = Fixtures.plan(
            [Fixtures.person("000101", manager: "000999")], Fixtures.directory([]))

        let findings = plan.findings.filter { $0.kind == .manager }
        #expect(findings.map(\.employeeID) == ["000101"])
        #expect(findings.first?.text.contains("manager_id 000999 is the employee id of no "
                                               + "row in the feed") == true)
        let creation = plan.changes.first { $0.kind == .createAccount }
        #expect(creation != nil)
        #expect(creation?.attributes.contains { $0.name == "manager" } == false)
    }

    /// The manager is in the feed though unreadable: no "no row" finding, only the one that
    /// says their reports keep (or, joining, wait for) their manager.
    @Test func aManagerWhoseRowIsQuarantinedIsInTheFeed() {
        let bad = QuarantinedRecord(source: "hr/test.csv:9", employeeID: "000110",
                                    problems: ["bad date"], termination: nil)

        let findings = managerFindings([Fixtures.person("000101", manager: "000110")],
                                       quarantined: [bad])

        #expect(findings.map(\.employeeID) == ["000110"])
        #expect(findings.first?.text.hasPrefix("the row of manager 000110 is quarantined") == true)
        #expect(findings.first?.text.contains("the accounts of 000101 are created without a manager") == true)
    }

    @Test func managersInTheFeedRaiseNothing() {
        #expect(managerFindings([
            Fixtures.person("000101", manager: "000102"), Fixtures.person("000102"),
            Fixtures.person("000103", manager: "000102"),
        ]).isEmpty)
    }
}

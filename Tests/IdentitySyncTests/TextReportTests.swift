import Foundation
import Testing

@testable import IdentitySync

@Suite struct TextReportTests {
    func plan(title: String, guards: [GuardVerdict] = []) -> Plan {
        let change = Change(kind: .setAttributes, category: .mover, employeeID: "000101", login: "agarcia",
                            dn: "uid=agarcia,ou=people,dc=example,dc=org",
                            attributes: [AttributeEdit(name: "title", before: ["Nurse"], after: [title])],
                            reason: Reason(rule: "attribute-templates", text: "HR fields changed"))
        return Plan(runDate: "2026-12-04", instant: "", feed: "hr/day1.csv", directoryFingerprint: "",
                    summary: PlanSummary(), changes: [change], findings: [], guards: guards)
    }

    @Test func hrTextCannotForgeALineOrColourTheTerminal() {
        let text = TextReport.render(plan(title: "Clerk\napplied: 0 ok\u{1B}[31mRED\u{202E}"))
        #expect(!text.contains("\napplied: 0 ok"))
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{202E}"))
        #expect(text.contains("Clerk\\u{A}applied: 0 ok\\u{1B}[31mRED\\u{202E}"))
    }

    @Test func anOverriddenGuardIsShownAsSuch() {
        var verdict = GuardVerdict(guardName: "leavers", passed: true, overridable: true,
                                   text: "60 leavers; allowed for this run by --allow-changes")
        verdict.overridden = true
        let text = TextReport.render(plan(title: "Nurse II", guards: [verdict]))
        #expect(text.contains("guards: passed (overridden for this run by --allow-changes)"))
        #expect(text.contains("OVERRIDE leavers"))
    }
}

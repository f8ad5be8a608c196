import Foundation
import Testing

/// Manager links on a real slapd: a manager who joins the same night, loops, own managers and
/// ids no row carries.
@Suite struct ManagerLinkEndToEndTests {
    static let people = "ou=people,dc=example,dc=org"

    /// The plan writes the new manager's DN on the report's entry; explain used to show an
    /// empty manager because it looked only in the directory, where the manager is not yet.
    @Test func explainShowsTheDNOfAManagerWhoJoinsTheSameNight() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed([
            HRRow(id: "000201", first: "Mia", last: "Chief"),
            HRRow(id: "000202", first: "Leo", last: "Report", manager: "000201"),
        ])

        let explain = try site.run("explain", ["--employee", "000202"])

        expectStatus(explain, 0)
        let desired = explain.stdout.components(separatedBy: "desired account:").last ?? ""
        #expect(desired.contains("manager: uid=mchief,\(Self.people)"), "\(explain.stdout)")
        expectStatus(try site.run("sync"), 0)
        let manager = "uid=lreport,\(Self.people) manager: uid=mchief,\(Self.people)"
        #expect(try slapd.dump().contains(manager))
    }

    /// HR's to fix, and nothing waits on them: the accounts are made and the run exits 0.
    @Test func loopsOwnManagersAndUnknownManagersAreFindingsOfASuccessfulSync() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed([
            HRRow(id: "000301", first: "Ada", last: "One", manager: "000302"),
            HRRow(id: "000302", first: "Bo", last: "Two", manager: "000301"),
            HRRow(id: "000303", first: "Cy", last: "Self", manager: "000303"),
            HRRow(id: "000304", first: "Di", last: "Lost", manager: "000999"),
        ])

        let sync = try site.run("sync")

        expectStatus(sync, 0)
        for (id, text) in [
            ("000301", "Supervisor EID makes a manager loop, 000301 → 000302 → 000301"),
            ("000302", "Supervisor EID makes a manager loop, 000302 → 000301 → 000302"),
            ("000303", "Supervisor EID 000303 is the person's own employee id"),
            ("000304", "Supervisor EID 000999 is the employee id of no row in the feed"),
        ] {
            #expect(sync.stdout.contains("manager: [\(id)] \(site.feedPath):"), "\(sync.stdout)")
            #expect(sync.stdout.contains(text), "\(text) in \(sync.stdout)")
        }
        let validate = try site.run("validate")
        expectStatus(validate, 0)
        #expect(validate.stdout.contains("  manager [000303]: \(site.feedPath):"),
                "\(validate.stdout)")
        #expect(validate.stdout.contains("000302 → 000301 → 000302"))
        let dump = try slapd.dump()
        let p = Self.people
        #expect(dump.contains("uid=aone,\(p) manager: uid=btwo,\(p)"))
        #expect(dump.contains("uid=btwo,\(p) manager: uid=aone,\(p)"))
        #expect(dump.contains("uid=cself,\(p) manager: uid=cself,\(p)"))
        // The unknown manager leaves manager_dn empty: the mapping writes no manager.
        #expect(dump.contains("uid=dlost,\(p) uid: dlost"))
        #expect(!dump.contains { $0.hasPrefix("uid=dlost,\(p) manager:") })
    }
}

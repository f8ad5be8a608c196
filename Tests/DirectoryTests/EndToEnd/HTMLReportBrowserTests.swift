import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The bundled sample (sample/idsync.yaml, sample/directory.ldif, sample/hr/day*.csv) on a
/// TestSlapd, with the sample config's paths pointed at this test's files.
final class SampleSite: @unchecked Sendable {
    static let hostile = "<img src=x onerror=alert(1)>"
    static let hostileTitle = "<img src=y onerror=\"document.body.setAttribute('data-pwned','1')\">"

    let slapd: TestSlapd
    let site: SyncFixture

    /// The sample directory, synced with the day-0 export, and the day-1 export with a
    /// hostile name in it as the feed.
    init(extraConfig: String = "") throws {
        slapd = try TestSlapd()
        site = try SyncFixture(slapd: slapd)
        let root = SyncFixture.packageRoot
        // SyncFixture added ou=contractors already; the sample starts with it.
        let seed = try String(contentsOfFile: root + "/sample/directory.ldif", encoding: .utf8)
        try slapd.loadLDIF(
            seed.components(separatedBy: "\n\n").filter { !$0.contains("dn: ou=contractors") }
                .joined(separator: "\n\n"))
        try slapd.modifyLDIF(
            try String(contentsOfFile: root + "/sample/lock-slee.ldif", encoding: .utf8))
        try config(extraConfig).write(toFile: site.configPath, atomically: true, encoding: .utf8)

        try String(contentsOfFile: root + "/sample/hr/day0.csv", encoding: .utf8)
            .write(toFile: site.feedPath, atomically: true, encoding: .utf8)
        expectStatus(try site.run("sync", at: "2026-12-01T07:00:00Z"), 0)

        // The future-dated joiner Noah Kim gets a hostile first name and title: the sample's
        // counts stay as they are.
        let day1 = try String(contentsOfFile: root + "/sample/hr/day1.csv", encoding: .utf8)
            .replacingOccurrences(
                of: "000112,Noah,,Kim,Pharmacy Technician,",
                with: "000112,\(HRRow.quoted(SampleSite.hostile)),,Kim,"
                    + "\(HRRow.quoted(SampleSite.hostileTitle)),")
        #expect(day1.contains(SampleSite.hostile))
        try day1.write(toFile: site.feedPath, atomically: true, encoding: .utf8)
    }

    private func config(_ extra: String) throws -> String {
        let root = SyncFixture.packageRoot
        let sample = try String(contentsOfFile: root + "/sample/idsync.yaml", encoding: .utf8)
        return
            sample
            .replacingOccurrences(of: "ldap://127.0.0.1:3890", with: slapd.url)
            .replacingOccurrences(of: "path: hr/day1.csv", with: "path: \(site.feedPath)")
            .replacingOccurrences(of: "../mappings/", with: root + "/mappings/")
            .replacingOccurrences(
                of: "path: exceptions.yaml", with: "path: \(root)/sample/exceptions.yaml"
            )
            .replacingOccurrences(of: "../demo/slapd/idsync.pw", with: slapd.dir + "/idsync.pw")
            .replacingOccurrences(of: "../demo/audit.jsonl", with: site.auditPath)
            .replacingOccurrences(of: "../demo/idsync.lock", with: site.lockPath) + extra
    }

    /// Day 1 of the sample, as demo.sh plans it.
    static let day1 = "2026-12-02T05:30:00Z"
}

/// Headless Chromium (Debian's chromium package) on a file:// page; no network is involved.
enum Browser {
    static let binary = "/usr/bin/chromium"

    static func run(_ arguments: [String], profile: String) throws -> ProcessOutput {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSlapdError(
                "no \(binary): scripts/install-deps.sh installs Debian's chromium package")
        }
        // Chromium's own sandbox cannot start as root (CI containers run as root).
        let sandbox = geteuid() == 0 ? ["--no-sandbox"] : []
        return try TestSlapd.run(
            executable: binary,
            arguments: [
                "--headless", "--disable-gpu",
                "--user-data-dir=\(profile)"
            ] + sandbox + arguments)
    }

    /// The DOM after the page's script ran, serialized.
    static func dom(_ url: String, profile: String) throws -> String {
        try run(["--dump-dom", url], profile: profile).stdout
    }
}

/// The change and finding rows of a dumped report: whether each is hidden, and its text.
func reportRows(_ dom: String) -> [(kind: String, hidden: Bool, text: String)] {
    dom.components(separatedBy: "<tr data-kind=\"").dropFirst().map { chunk in
        let row = chunk.components(separatedBy: "</tr>")[0]
        let tag = row.prefix { $0 != ">" }
        let text = row.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        return (String(tag.prefix { $0 != "\"" }), tag.contains("hidden"), text)
    }
}

@Suite struct HTMLReportBrowserTests {
    @Test func theSamplePlanRendersInChromiumWithItsCountsTheHostileNameAsTextAndAWorkingSearch()
        throws
    {
        let sample = try SampleSite()
        let site = sample.site
        let html = site.dir + "/plan.html"
        let json = site.dir + "/plan.json"
        expectStatus(
            try site.run("plan", ["--format", "html", "--out", html], at: SampleSite.day1), 1)
        expectStatus(
            try site.run("plan", ["--format", "json", "--out", json], at: SampleSite.day1), 1)
        let mode = try FileManager.default.attributesOfItem(atPath: html)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let profile = site.dir + "/chromium"

        // A screenshot, written to the test's temporary folder.
        let png = site.dir + "/plan.png"
        _ = try Browser.run(
            ["--screenshot=\(png)", "--window-size=1280,2000", "file://\(html)"], profile: profile)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 10_000)

        // The summary shows the plan's counts.
        let dom = try Browser.dom("file://\(html)", profile: profile)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
                as? [String: Any])
        let plan = try #require(document["plan"] as? [String: Any])
        let summary = try #require(plan["summary"] as? [String: Int])
        let changes = try #require(plan["changes"] as? [Any])
        for (name, key) in [
            ("joiners", "joiners"), ("movers", "movers"), ("leavers", "leavers"),
            ("contract-ended", "contractEnded"), ("rehires", "rehires"), ("orphans", "orphans"),
            ("protected", "protectedSkipped"), ("quarantined", "quarantined"),
            ("unmanaged-entries", "unmanagedEntries")
        ] {
            #expect(dom.contains("data-count=\"\(name)\">\(summary[key] ?? -1)</dd>"), "\(name)")
        }
        #expect(dom.contains("data-count=\"changes\">\(changes.count)</dd>"))
        #expect(summary["joiners"] == 3)

        // The hostile name is text: no element came of it, and no handler ran.
        #expect(dom.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!dom.contains("<img"))
        #expect(!dom.contains("data-pwned=\"1\""))
        #expect(dom.contains("<body data-shown="))
        let rows = reportRows(dom)
        #expect(rows.count > 40 && rows.allSatisfy { !$0.hidden })

        // The search box filters rows: only the ones naming ppatel stay.
        let filtered = reportRows(try Browser.dom("file://\(html)#q=ppatel", profile: profile))
        let shown = filtered.filter { !$0.hidden }
        #expect(shown.count >= 2 && shown.count < rows.count)
        #expect(shown.allSatisfy { $0.text.lowercased().contains("ppatel") })
        #expect(filtered.filter(\.hidden).allSatisfy { !$0.text.lowercased().contains("ppatel") })

        // The kind list narrows them to one kind of change, with the search box still applied.
        let disables = reportRows(try Browser.dom("file://\(html)#kind=disable", profile: profile))
        let shownDisables = disables.filter { !$0.hidden }
        let planned = changes.filter { ($0 as? [String: Any])?["kind"] as? String == "disable" }
        #expect(shownDisables.count == planned.count && !planned.isEmpty)
        #expect(shownDisables.allSatisfy { $0.kind == "disable" })
        let both = reportRows(try Browser.dom("file://\(html)#kind=disable&q=ppatel",
                                              profile: profile))
        #expect(both.filter { !$0.hidden }.count == 1)
    }

    @Test func explainShowsOnePersonsRecordAccountsAndRulesRedactedUnlessAsked() throws {
        let sample = try SampleSite(extraConfig: "\nreport:\n  redact: [termination_date]\n")
        let site = sample.site

        let text = try site.run("explain", ["--employee", "000105"], at: SampleSite.day1)

        expectStatus(text, 0)
        for heading in [
            "HR record as read:", "desired account:", "observed account:", "planned changes (5):"
        ] {
            #expect(text.stdout.contains(heading), "\(heading) in \(text.stdout)")
        }
        #expect(text.stdout.contains("disable 000105 ppatel"))
        #expect(text.stdout.contains("Termination Date: [redacted]"))
        #expect(text.stdout.contains("termination_date = [redacted]"))
        #expect(
            !text.stdout.contains("12/01/2026") && !text.stdout.contains("termination_date: 2026"))
        let unredacted = try site.run(
            "explain", ["--employee", "000105", "--unredacted"], at: SampleSite.day1)
        #expect(unredacted.stdout.contains("Termination Date: 12/01/2026"))

        let page = site.dir + "/explain.html"
        expectStatus(
            try site.run(
                "explain", ["--employee", "000112", "--format", "html", "--out", page],
                at: SampleSite.day1), 0)
        let dom = try Browser.dom("file://\(page)", profile: site.dir + "/chromium")
        #expect(dom.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!dom.contains("<img"))
        #expect(dom.contains("create-account"))
    }
}

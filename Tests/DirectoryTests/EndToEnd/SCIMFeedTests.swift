import Foundation
import Testing
import TestSupport

/// Day 0 of a small hospital, synced from CSV before each SCIM test.
private let day0: [HRRow] = [
    chief, nurse, pharmacist, clerk,
    HRRow(
        id: "000105", first: "Priya", last: "Patel", title: "Radiographer", department: "Radiology",
        manager: "000110"),
    HRRow(
        id: "000106", first: "Omar", last: "Haddad", title: "Locum Physician", jobCode: "MD01",
        department: "Cardiology", workerType: "Locum", contractEnd: "12/31/2026", manager: "000110"),
    HRRow(id: "000107", first: "Mia", last: "Wong", title: "Porter", manager: "000110"),
]

/// Day 1: joiners (one before their start date, one with a preferred name), movers (one into a
/// privileged role), a leaver, a contract that ended, a termination to come, and a terminated
/// person who never had an account. Each person reaches idsync as a CSV row or a SCIM User.
private let day1: [HRRow] = [
    chief, nurse,
    HRRow(
        id: "000103", first: "Chloé", last: "Dubois", title: "Charge Nurse", jobCode: "RN02",
        department: "Nursing", manager: "000101"),
    HRRow(
        id: "000104", first: "John", last: "Smith", title: "EHR Superuser", jobCode: "EHR-SU",
        manager: "000110"),
    day0[4].terminated(on: "11/15/2026"),
    HRRow(
        id: "000106", first: "Omar", last: "Haddad", title: "Locum Physician", jobCode: "MD01",
        department: "Cardiology", workerType: "Locum", contractEnd: "11/30/2026", manager: "000110"),
    HRRow(
        id: "000107", first: "Mia", last: "Wong", title: "Porter", termination: "12/15/2026",
        manager: "000110"),
    HRRow(
        id: "000120", first: "Zoë", preferred: "Zo", last: "Ångström", title: "Registered Nurse",
        jobCode: "RN01", department: "ICU", hire: "11/02/2026", manager: "000101"),
    HRRow(
        id: "000121", first: "Ravi", last: "Kumar", title: "Pharmacist", jobCode: "PH01",
        department: "Pharmacy", hire: "12/10/2026", manager: "000110"),
    HRRow(id: "000122", first: "Old", last: "Record", hire: "01/15/2015").terminated(
        on: "03/01/2024"),
]

@Suite(.serialized) struct SCIMFeedTests {
    /// slapd with day 0 synced from CSV, and day 1 written as the CSV feed.
    private func hospitalAfterDay0() throws -> (TestSlapd, SyncFixture) {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(day0)
        expectStatus(try site.run("sync"), 0)
        try site.writeFeed(day1)
        return (slapd, site)
    }

    @Test func scimAndCSVFeedsOfTheSamePeoplePlanTheSame() throws {
        let (_, site) = try hospitalAfterDay0()
        let server = try TestSCIMServer.scim2()
        try server.seed(day1, in: site.dir)
        try site.writeSCIMConfig(server, pageSize: 3)

        let csvPlan = try site.run("plan", ["--format", "json"])
        let scimPlan = try site.run("plan", ["--config", site.scimConfigPath, "--format", "json"])

        expectStatus(csvPlan, 0)
        expectStatus(scimPlan, 0)
        let csv = try comparablePlan(csvPlan.stdout, site: site)
        let scim = try comparablePlan(scimPlan.stdout, site: site)
        #expect(csv == scim)
        #expect(scimPlan.stdout.contains("\"feed\" : \"\(server.baseURL)/Users\""))
        let summary = try #require((try planObject(scimPlan.stdout))["summary"] as? [String: Any])
        for kind in ["joiners", "movers", "leavers", "contractEnded"] {
            #expect((summary[kind] as? Int ?? 0) > 0, "no \(kind) in \(summary)")
        }
    }

    @Test(arguments: [("rfc", 3), ("short", 1000), ("throttle", 1000)])
    func legalServersThatPageDifferentlyPlanTheSame(mode: String, cap: Int) throws {
        let (_, site) = try hospitalAfterDay0()
        let server = try TestSCIMServer.standIn(mode, people: day1, in: site.dir, cap: cap)
        try site.writeSCIMConfig(server, pageSize: 4)

        let csvPlan = try site.run("plan", ["--format", "json"])
        let scimPlan = try site.run("plan", ["--config", site.scimConfigPath, "--format", "json"])

        expectStatus(scimPlan, 0)
        #expect(
            try comparablePlan(csvPlan.stdout, site: site)
                == comparablePlan(scimPlan.stdout, site: site))
        if mode == "throttle" {
            // Each page was refused once with Retry-After and then served.
            let log = server.requestLog
            #expect(log.filter { $0.hasSuffix("-> 429") }.count == 3, "\(log)")
            #expect(log.filter { $0.hasSuffix("-> 200") }.count == 3, "\(log)")
        }
    }

    @Test(arguments: [
        ("zero-based", "the page at startIndex 10 is empty, but totalResults is 10"),
        ("overlap", "pages overlap"),
        ("total-changes", "totalResults changed from 10 to 11 at startIndex 5"),
        ("error-halfway", "HTTP 500"),
        ("truncated", "the page at startIndex 9 failed"),
    ])
    func misbehavingServersStopTheSyncBeforeAnyWrite(mode: String, expected: String) throws {
        let (slapd, site) = try hospitalAfterDay0()
        let server = try TestSCIMServer.standIn(mode, people: day1, in: site.dir)
        try site.writeSCIMConfig(server, pageSize: 4)
        let before = try slapd.dump()

        let output = try site.run("sync", ["--config", site.scimConfigPath])

        expectStatus(output, 3)
        #expect(
            output.stderr.contains("the feed cannot be trusted to be complete"), "\(output.stderr)")
        #expect(output.stderr.contains(expected), "\(output.stderr)")
        #expect(output.stderr.contains("nothing was written"), "\(output.stderr)")
        #expect(try slapd.dump() == before)
        #expect(!output.stdout.contains(server.token) && !output.stderr.contains(server.token))
    }

    @Test func validateReportsWhatTheFeedReturnedWithoutADirectory() throws {
        // The directory URL points at a port nobody listens on: validate must not need it.
        let site = try SyncFixture(slapd: try TestSlapd(), url: "ldap://127.0.0.1:9/")
        let good = try TestSCIMServer.standIn("short", people: day1, in: site.dir)
        try site.writeSCIMConfig(good)

        let output = try site.run("validate", ["--config", site.scimConfigPath])

        expectStatus(output, 0)
        #expect(
            output.stdout.contains("feed \(good.baseURL)/Users: 10 rows, 10 people, 0 quarantined"),
            "\(output.stdout)")

        let bad = try TestSCIMServer.standIn("overlap", people: day1, in: site.dir)
        try site.writeSCIMConfig(bad)
        let stopped = try site.run("validate", ["--config", site.scimConfigPath])
        expectStatus(stopped, 3)
        #expect(
            stopped.stderr.contains("4 of 10 users read in 2 pages of up to 4"), "\(stopped.stderr)"
        )
    }

    @Test func aRefusedTokenStopsTheRunAndIsNeverShown() throws {
        let site = try SyncFixture(slapd: try TestSlapd())
        let server = try TestSCIMServer.scim2()
        try site.writeSCIMConfig(server)
        let wrong = "tok-wrong-\(UUID().uuidString)"
        try (wrong + "\n").write(toFile: site.scimTokenPath, atomically: true, encoding: .utf8)
        chmod(site.scimTokenPath, 0o600)

        let output = try site.run("plan", ["--config", site.scimConfigPath])

        expectStatus(output, 3)
        #expect(output.stderr.contains("HTTP 401"), "\(output.stderr)")
        #expect(output.stderr.contains("refused the token"), "\(output.stderr)")
        for secret in [wrong, server.token] {
            #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
        }
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let site = try SyncFixture(slapd: try TestSlapd())
        let server = try TestSCIMServer.standIn("rfc", people: day1, in: site.dir)
        try site.writeSCIMConfig(server)
        chmod(site.scimTokenPath, 0o644)

        let output = try site.run("validate", ["--config", site.scimConfigPath])

        expectStatus(output, 2)
        #expect(
            output.stderr.contains(
                "feed.token_file \(site.scimTokenPath) has mode 644: other users could read"),
            "\(output.stderr)")
        #expect(server.requestLog.isEmpty)
    }

    @Test func theServersCertificateIsVerified() throws {
        let site = try SyncFixture(slapd: try TestSlapd())
        let certificates = try ThrowawayCertificates(in: site.dir)
        let server = try TestSCIMServer.standIn("rfc", people: day1, in: site.dir, tls: certificates)

        // No ca_file: the system's CAs do not know the throwaway one.
        try site.writeSCIMConfig(server)
        let refused = try site.run("validate", ["--config", site.scimConfigPath])
        expectStatus(refused, 3)
        #expect(refused.stderr.contains("the page at startIndex 1 failed"), "\(refused.stderr)")
        #expect(server.requestLog.isEmpty)

        try site.writeSCIMConfig(server, extra: "  ca_file: \(certificates.caFile)")
        let trusted = try site.run("validate", ["--config", site.scimConfigPath])
        expectStatus(trusted, 0)
        #expect(trusted.stdout.contains("10 people"), "\(trusted.stdout)")
    }
}

/// The JSON report's plan, decoded.
private func planObject(_ report: String) throws -> [String: Any] {
    let root = try #require(
        try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
    return try #require(root["plan"] as? [String: Any])
}

/// The plan as canonical JSON text, without what names the feed: its origin, the hash of the
/// config files (the two configs differ in their feed section), and where each person came
/// from (a CSV line or a SCIM resource URL).
private func comparablePlan(_ report: String, site: SyncFixture) throws -> String {
    var plan = try planObject(report)
    plan["feed"] = nil
    plan["configHash"] = nil
    let data = try JSONSerialization.data(
        withJSONObject: plan, options: [.sortedKeys, .withoutEscapingSlashes])
    var text = String(decoding: data, as: UTF8.self)
    let sources = [
        NSRegularExpression.escapedPattern(for: site.feedPath) + ":[0-9]+",
        #"http://127\.0\.0\.1:[0-9]+/v2/Users/[0-9a-f]+ \(u[0-9]+\)"#,
    ]
    for pattern in sources {
        text = text.replacingOccurrences(of: pattern, with: "<source>", options: .regularExpression)
    }
    return text
}

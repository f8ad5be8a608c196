import Foundation
import Testing
import YAML

@testable import IdentitySync

/// `feed: {type: scim, …}` as idsync.yaml gives it; line 6 is the feed's first key.
@Suite struct SCIMConfigTests {
    static let mappings = Fixtures.path("mappings")
    static let csvFeed = "  path: hr/day1.csv\n  layout: \(mappings)/bamboohr.yaml\n"

    func file(_ lines: String) throws -> ConfigFile {
        try ConfigFile(
            replacing: Self.csvFeed,
            with: lines.replacingOccurrences(of: "MAPPINGS", with: Self.mappings))
    }

    func expectError(
        _ lines: String, line: Int, containing text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let config = try file(lines)
        do {
            _ = try ConfigLoader.load(path: config.path)
            Issue.record(
                "loaded, expected an error containing '\(text)'", sourceLocation: sourceLocation)
        } catch let error as YAMLError {
            #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aSCIMFeedLoadsWithItsExtensionAttributes() throws {
        let config = try ConfigLoader.load(
            path: try file(
                """
                  type: scim
                  url: https://hr.example.org/scim/v2/
                  token_file: scim.token
                  page_size: 200
                  layout: MAPPINGS/scim.yaml
                  attributes:
                    hire_date: urn:example:hr:2.0:User:hireDate
                    job_code: urn:example:hr:2.0:User:jobCode

                """
            ).path)
        let scim = try #require(config.feed.scim)
        #expect(scim.usersURL == "https://hr.example.org/scim/v2/Users")
        #expect(config.feed.path == scim.usersURL)
        #expect(
            scim.tokenFile?.hasSuffix("/scim.token") == true
                && scim.tokenFile?.hasPrefix("/") == true)
        #expect(scim.tokenEnvironment == nil)
        #expect(scim.pageSize == 200 && scim.maxAttempts == 4)
        #expect(config.feed.layout.name == "scim")
        #expect(config.feed.layout.columns[.hireDate] == "urn:example:hr:2.0:User:hireDate")
        #expect(config.feed.layout.columns[.firstName] == "name.givenName")
        #expect(config.feed.layout.statusValues["false"] == .terminated)
    }

    @Test func plainHTTPOnlyToThisMachine() throws {
        let feed = { (url: String, extra: String) in
            "  type: scim\n  url: \(url)\n  token_env: HR_TOKEN\n  layout: MAPPINGS/scim.yaml\n\(extra)"
        }
        try expectError(
            feed("http://hr.example.org/scim/v2", ""), line: 7,
            containing: "plain HTTP to another host")
        for url in [
            "http://127.0.0.1:8080/scim/v2", "http://localhost/v2", "https://hr.example.org/v2",
        ] {
            #expect(try ConfigLoader.load(path: try file(feed(url, "")).path).feed.scim?.url == url)
        }
        let allowed = try file(feed("http://hr.internal/v2", "  allow_plaintext: true\n"))
        #expect(try ConfigLoader.load(path: allowed.path).feed.scim?.allowPlaintext == true)
    }

    @Test func theTokenNeverGoesInTheURL() throws {
        try expectError(
            "  type: scim\n  url: https://svc:secret@hr.example.org/v2\n  token_env: T\n"
                + "  layout: MAPPINGS/scim.yaml\n", line: 7,
            containing: "must not hold a user name or token")
        try expectError(
            "  type: scim\n  url: https://hr.example.org/v2?access_token=x\n  token_env: T\n"
                + "  layout: MAPPINGS/scim.yaml\n", line: 7, containing: "without a query")
    }

    @Test func oneTokenSourceIsRequired() throws {
        try expectError(
            "  type: scim\n  url: https://hr.example.org/v2\n  layout: MAPPINGS/scim.yaml\n",
            line: 6, containing: "needs token_file or token_env")
        try expectError(
            "  type: scim\n  url: https://hr.example.org/v2\n  token_env: T\n  token_file: t\n"
                + "  layout: MAPPINGS/scim.yaml\n", line: 6,
            containing: "needs token_file or token_env")
    }

    @Test func badSCIMSettingsNameTheirLine() throws {
        let head =
            "  type: scim\n  url: https://hr.example.org/v2\n  token_env: T\n  layout: MAPPINGS/scim.yaml\n"
        try expectError(head + "  page_size: 0\n", line: 10, containing: "must be from 1 to 10000")
        try expectError(head + "  attributes:\n    hire_day: x\n", line: 11, containing: "hire_day")
        try expectError(head + "  path: hr.csv\n", line: 10, containing: "path")
        try expectError("  type: ldif\n", line: 6, containing: "must be csv or scim")
    }
}

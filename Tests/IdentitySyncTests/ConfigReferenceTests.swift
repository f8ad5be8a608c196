import Foundation
import Testing

@testable import IdentitySync

/// README's configuration reference against the keys the loaders take: a key the loader
/// takes and README leaves out, or one README lists that the loader refuses, fails here.
@Suite struct ConfigReferenceTests {
    /// The keys in the first column of each table of the reference, by the bold caption
    /// above the table (`idsync.yaml`, `HR layout` ...), and the text of each part.
    static func reference() throws -> [String: (keys: Set<String>, text: String)] {
        let readme = try String(contentsOfFile: Fixtures.path("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "### Configuration reference\n"))
        let rest = readme[start.upperBound...]
        let section = rest.range(of: "\n### ").map { rest[..<$0.lowerBound] } ?? rest
        var parts: [String: (keys: Set<String>, text: String)] = [:]
        var caption = ""
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("**"), let end = line.dropFirst(2).range(of: "**") {
                caption = String(line.dropFirst(2)[..<end.lowerBound])
            }
            parts[caption, default: ([], "")].text += line + "\n"
            guard line.hasPrefix("| `") else { continue }
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            parts[caption, default: ([], "")].keys.formUnion(quoted(cell))
        }
        return parts
    }

    /// Every `…` in the text.
    static func quoted(_ text: Substring) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    static func prefixed(_ block: String, _ keys: Set<String>) -> Set<String> {
        Set(keys.map { "\(block).\($0)" })
    }

    @Test func theSiteConfigTableListsEveryKeyTheLoaderTakes() throws {
        let blocks: [(String, Set<String>)] = [
            ("site", ConfigKeys.site), ("feed", ConfigKeys.csvFeed.union(ConfigKeys.scimFeed)),
            ("directory", ConfigKeys.directory), ("policy", ConfigKeys.policy),
            ("guards", ConfigKeys.guards), ("protected", ConfigKeys.protected),
            ("audit", ConfigKeys.audit), ("lock", ConfigKeys.lock),
            ("exceptions", ConfigKeys.exceptions), ("disable", ConfigKeys.disable),
            ("monitoring", ConfigKeys.monitoring),
            ("mfa", ConfigKeys.mfa.subtracting(["noncompliant_members"])),
            ("mfa.noncompliant_members", ConfigKeys.memberRemoval),
            ("terminate", ConfigKeys.terminate), ("report", ConfigKeys.report),
            ("approval", ConfigKeys.approval),
        ]
        var expected: Set<String> = ["mapping", "roles"]
        for (block, keys) in blocks { expected.formUnion(Self.prefixed(block, keys)) }
        let listed = try #require(try Self.reference()["idsync.yaml"]).keys

        #expect(expected.subtracting(listed).isEmpty, "missing from README")
        #expect(listed.subtracting(expected).isEmpty, "in README, refused by the loader")
        let blockNames = blocks.map { String($0.0.split(separator: ".")[0]) }
        #expect(Set(blockNames).union(["mapping", "roles"]) == ConfigKeys.root)
    }

    @Test func theMappingFileTablesListEveryKeyTheLoaderTakes() throws {
        let reference = try Self.reference()
        let accounts = Self.prefixed("login", ConfigKeys.login)
            .union(Self.prefixed("placement[]", ConfigKeys.placement))
            .union(ConfigKeys.mapping.subtracting(["login"]))
        let roles = Self.prefixed("rules[]", ConfigKeys.rule).union(ConfigKeys.roles)

        #expect(reference["HR layout"]?.keys == ConfigKeys.layout)
        #expect(reference["Account mapping"]?.keys == accounts)
        #expect(reference["Role rules"]?.keys == roles)
        let exceptions = try #require(reference["Exceptions file"]).text
        for key in ConfigKeys.exceptionsFile.union(ConfigKeys.exception) {
            #expect(exceptions.contains("`\(key)`"), "\(key) missing from README")
        }
    }

    @Test func theConnectorTableListsEveryKeyOfEachType() throws {
        let table = try #require(try Self.reference()["MFA connector keys"])
        let text = table.text
        #expect(table.keys == Set(ConfigLoader.mfaConnectorKeys.keys))
        for (type, keys) in ConfigLoader.mfaConnectorKeys {
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `\(type)` |") })
            let listed = Set(Self.quoted(row).dropFirst())
            #expect(listed == keys, "\(type)")
        }
    }
}

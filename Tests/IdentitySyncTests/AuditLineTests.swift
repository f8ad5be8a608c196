import Foundation
import Testing

@testable import IdentitySync

@Suite struct AuditLineTests {
    static let hostile = "Zoë \"Q\" back\\slash\nnew\tline \u{1}\u{1F} </script> 日本"

    func record() -> AuditRecord {
        var record = AuditRecord(time: "2026-12-04T02:15:07.123Z", run: "r1", event: "change",
                                 actor: Actor(bindIdentity: "cn=idsync,ou=services,dc=example,dc=org",
                                              osUser: "idsync", reason: Self.hostile))
        record.action = "set-attributes"
        record.employeeID = "000101"
        record.dn = "cn=Smith\\, John,ou=people,dc=example,dc=org"
        record.before = ["title": ["Nurse"], "cn": []]
        record.after = ["title": [Self.hostile], "cn": ["a", "b"]]
        record.reason = "attribute-templates: HR fields changed"
        record.result = "error"
        record.approvedBy = "M. Rivera, IAM lead"
        record.error = DirectoryFailure(code: 20, message: "value #0 already exists", transient: false)
        record.summary = PlanSummary()
        record.configHash = "sha256:" + String(repeating: "0f", count: 32)
        return record
    }

    @Test func lineDecodesBackToTheSameRecord() throws {
        let line = try AuditLine.render(record())
        let decoded = try JSONDecoder().decode(AuditRecord.self, from: Data(line.utf8))
        #expect(decoded.actor.reason == Self.hostile)
        #expect(decoded.after == record().after)
        #expect(decoded.before == record().before)
        #expect(decoded.dn == record().dn)
        #expect(decoded.error?.code == 20)
        #expect(decoded.summary == PlanSummary())
        #expect(decoded.configHash == record().configHash)
        #expect(!line.contains("\n"), "one record is one line")
    }

    @Test func keysComeSortedLikeJSONEncoderWritesThem() throws {
        var plain = record()
        plain.summary = nil
        plain.actor = Actor(bindIdentity: "x", osUser: "y", reason: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        plain.after = ["title": ["Nurse II"]]
        let ours = try AuditLine.render(plain)
        let theirs = String(decoding: try encoder.encode(plain), as: UTF8.self)
        #expect(ours == theirs)
    }
}

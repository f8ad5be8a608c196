import Foundation

/// The plan for machines and for `idsync apply --plan`: the versioned document that
/// `docs/plan-schema.json` describes. Keys are sorted and the changes keep the plan's order,
/// so the same plan always gives the same bytes.
public struct PlanDocument: Codable, Sendable {
    /// Raised when the document's shape changes; `apply` refuses any other version.
    public static let schemaVersion = 4

    public var schema: Int
    /// When the plan was made, by the clock (not the run's `--at` instant): its age.
    public var createdAt: String
    /// The HR fields whose values were replaced by `[redacted]`; empty when none were.
    public var redacted: [String]
    /// What each target of a change looked like when the plan was made, by target key.
    public var targets: [String: String]
    public var plan: Plan
    public var outcomes: [ChangeOutcome]?
    /// `sha256:` and the SHA-256 of the document written with this field empty, compact,
    /// keys sorted: the name of this plan in the audit log.
    public var contentHash: String

    /// Without `directory` the document has no target fingerprints, and `apply` refuses it.
    public init(
        plan: Plan, directory: ObservedDirectory?, createdAt: Date, redacted: Set<String>,
        outcomes: [ChangeOutcome]? = nil
    ) {
        self.schema = PlanDocument.schemaVersion
        self.createdAt = PlanDocument.timestamp(createdAt)
        self.redacted = redacted.sorted()
        self.targets =
            directory.map { TargetFingerprints.compute(plan.changes, directory: $0) } ?? [:]
        self.plan = plan
        self.outcomes = outcomes
        self.contentHash = ""
        self.contentHash = (try? computedHash()) ?? ""
    }

    /// The hash the content gives now; equal to `contentHash` unless the file was edited.
    public func computedHash() throws -> String {
        var copy = self
        copy.contentHash = ""
        return "sha256:" + SHA256.hex(try SortedJSON.render(copy, pretty: false))
    }

    /// The document as the report files hold it: indented, keys sorted, UTF-8 as it is.
    public func rendered() throws -> String {
        String(decoding: try SortedJSON.render(self, pretty: true), as: UTF8.self) + "\n"
    }

    /// Reads a saved plan, refusing another schema version, a key twice in one object, a key
    /// schema 3 does not have (at any depth: a hand-edited file), and a content that no
    /// longer matches its hash.
    public static func read(_ data: Data, file: String) throws -> PlanDocument {
        let json: SortedJSONDecoder
        do {
            json = try SortedJSONDecoder(parsing: data)
        } catch let problem as JSONReadProblem {
            throw SavedPlanProblem(refusal(problem, file: file))
        }
        struct Version: Decodable { let schema: Int? }
        guard let version = try? json.decode(Version.self, everyKeyRead: false) else {
            throw SavedPlanProblem("\(file) is not a plan written by 'idsync plan --format json'")
        }
        guard version.schema == schemaVersion else {
            throw SavedPlanProblem(
                "\(file) has plan schema \(version.schema.map(String.init) ?? "none"); "
                    + "this idsync reads schema \(schemaVersion). Make the plan again")
        }
        // The file's own bytes give the hash of an unedited plan without encoding it again
        // (7 s of a 100,000-person first load's 16), taken on the second core meanwhile.
        let hashing = BackgroundJob { [json] in
            "sha256:" + json.compactSHA256(blankingTopLevel: "contentHash")
        }
        let document: PlanDocument
        do {
            document = try json.decode(PlanDocument.self)
        } catch let problem as JSONReadProblem {
            throw SavedPlanProblem(refusal(problem, file: file))
        } catch {
            throw SavedPlanProblem(
                "\(file) does not follow plan schema \(schemaVersion): "
                    + SortedJSONDecoder.describe(error))
        }
        // Any other spelling of the same content (an escape written otherwise) is checked as
        // before, by encoding the decoded plan.
        guard try hashing.result() == document.contentHash
            || document.computedHash() == document.contentHash
        else {
            throw SavedPlanProblem(
                "\(file) was changed after it was made: its content does not match its "
                    + "hash \(document.contentHash). Make and approve the plan again")
        }
        return document
    }

    /// What is wrong with a file that is no plan idsync wrote, and what to do.
    private static func refusal(_ problem: JSONReadProblem, file: String) -> String {
        let place = "line \(problem.line), column \(problem.column)"
        switch problem.kind {
        case .syntax:
            return "\(file) is not a plan written by 'idsync plan --format json': \(place): "
                + "\(problem.text). Make the plan again"
        case .duplicateKey:
            return "\(file) has the key \(problem.path) twice in one object (\(place)); idsync "
                + "writes every key once, so the file was edited. Make and approve the plan again"
        case .unreadKey:
            return "\(file) has \(problem.path) (\(place)), which plan schema \(schemaVersion) "
                + "does not have; idsync never writes it, so the file was edited. Make and "
                + "approve the plan again"
        }
    }

    /// The instant as ISO 8601 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// A saved plan that cannot be applied; `apply` stops with exit 3 and writes nothing.
public struct SavedPlanProblem: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The JSON report of a plan (and of what applying it did).
public enum JSONReport {
    public static func render(
        _ plan: Plan, directory: ObservedDirectory? = nil, redacted: Set<String> = [],
        outcomes: [ChangeOutcome]? = nil, now: Date = Date()
    ) throws -> String {
        try PlanDocument(
            plan: plan, directory: directory, createdAt: now, redacted: redacted,
            outcomes: outcomes
        ).rendered()
    }
}

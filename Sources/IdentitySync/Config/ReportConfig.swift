import Foundation
import YAML

/// What reports may show (`report:` in idsync.yaml).
public struct ReportConfig: Sendable {
    /// HR fields whose values no report shows unless `--unredacted` is given: the layout's
    /// field names (`termination_date`) or the export's column names (`Termination Reason`),
    /// compared case-insensitively.
    public var redact: Set<String> = []

    public init(redact: Set<String> = []) {
        self.redact = redact
    }
}

/// Which changes wait for a person's sign-off (`approval:` in idsync.yaml).
public struct ApprovalConfig: Sendable {
    /// A class of changes that may be made to wait for `idsync apply --plan … --approved-by`.
    public enum Requirement: String, Sendable, CaseIterable {
        /// New or returning accounts: create-account and enable.
        case joiners
        /// Every add to a managed group.
        case grants
        /// Adds to the privileged groups of the role rules.
        case privilegedGrants = "privileged-grants"
    }

    public var requireFor: Set<Requirement> = []
    /// A saved plan older than this is refused: what it was approved against is stale.
    public var maxPlanAge: TimeInterval = 24 * 3600

    public init(requireFor: Set<Requirement> = [], maxPlanAge: TimeInterval = 24 * 3600) {
        self.requireFor = requireFor
        self.maxPlanAge = maxPlanAge
    }
}

extension ConfigLoader {
    static func loadReport(_ node: YAMLReader?) throws -> ReportConfig {
        guard let node else { return ReportConfig() }
        try node.rejectUnknownKeys(allowed: ConfigKeys.report)
        let names = try node.optionalList("redact")?.stringList() ?? []
        return ReportConfig(redact: Set(names.map { $0.lowercased() }))
    }

    static func loadApproval(_ node: YAMLReader?) throws -> ApprovalConfig {
        var approval = ApprovalConfig()
        guard let node else { return approval }
        try node.rejectUnknownKeys(allowed: ConfigKeys.approval)
        let allowed = ApprovalConfig.Requirement.allCases.map(\.rawValue).joined(separator: ", ")
        for item in try node.optionalList("require_for")?.elements() ?? [] {
            approval.requireFor.insert(
                try choice(item, ApprovalConfig.Requirement.init(rawValue:), allowed))
        }
        if let age = try node.optional("max_plan_age_hours") {
            let hours = try age.double()
            guard hours > 0 else { throw age.error("must be more than 0 hours, found \(hours)") }
            approval.maxPlanAge = hours * 3600
        }
        return approval
    }
}

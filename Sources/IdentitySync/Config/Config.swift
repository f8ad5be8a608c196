import Foundation
import Loopback

/// The normalized fields a person has; layouts map HR column names onto them.
public enum HRField: String, Sendable, CaseIterable, Codable {
    case employeeID = "employee_id"
    case firstName = "first_name"
    case preferredName = "preferred_name"
    case lastName = "last_name"
    case jobTitle = "job_title"
    case jobCode = "job_code"
    case department
    case location
    case workerType = "worker_type"
    case status
    case hireDate = "hire_date"
    case terminationDate = "termination_date"
    case contractEndDate = "contract_end_date"
    case managerID = "manager_id"
    /// The work mail address HR holds; only `idsync adopt` matches on it.
    case workEmail = "work_email"

    /// The field's place in `allCases`, for arrays indexed by field: a field's own hash is
    /// its raw value's, a string's, and a feed row asks for fifteen fields.
    var ordinal: Int {
        switch self {
        case .employeeID: 0
        case .firstName: 1
        case .preferredName: 2
        case .lastName: 3
        case .jobTitle: 4
        case .jobCode: 5
        case .department: 6
        case .location: 7
        case .workerType: 8
        case .status: 9
        case .hireDate: 10
        case .terminationDate: 11
        case .contractEndDate: 12
        case .managerID: 13
        case .workEmail: 14
        }
    }
}

/// How one HR export names its columns and writes its values.
public struct FeedLayout: Sendable {
    public var name: String
    public var delimiter: Unicode.Scalar = ","
    public var dateLayout: DateLayout
    /// HR column name for each field; fields a layout lacks are absent.
    public var columns: [HRField: String]
    /// Status values (lower-cased) and what they mean.
    public var statusValues: [String: EmploymentStatus]
    /// Worker type values (lower-cased) that mean contractor; all others are employees.
    public var contractorTypes: Set<String>
    /// Where the export states its time and row count, if it does.
    public var exportStamp: ExportStamp?
    /// Mapped fields an export may leave out (`optional_columns`); every other mapped column
    /// must be in a CSV header, or the run stops before it reads one value as empty.
    public var optionalFields: Set<HRField> = []
}

public struct FeedConfig: Sendable {
    public enum MissingPerson: String, Sendable { case leaver, report }

    public var path: String
    public var layout: FeedLayout
    public var maxBadRows: Int = 10
    public var missingPerson: MissingPerson = .leaver
    /// A feed older than this (seconds) stops the run; nil: no limit.
    public var maxAge: TimeInterval?
    /// Set for `type: scim`; then `path` is the Users URL and `layout` names SCIM attributes.
    public var scim: SCIMFeedConfig?
}

public struct DirectoryConfig: Sendable {
    public var flavour = "openldap"
    public var url: String
    public var bindDN: String
    public var passwordFile: String?
    public var passwordEnvironment: String?
    public var caFile: String?
    public var startTLS = false
    public var allowPlaintext = false
    public var base: DistinguishedName
    public var people: DistinguishedName
    public var groups: DistinguishedName
    /// Keeps a managed groupOfNames valid once its last real member leaves.
    public var placeholderMember: DistinguishedName
    /// The ppolicy entry whose `pwdLockout: TRUE` makes a disable effective.
    public var passwordPolicy: DistinguishedName?
    public var stateAttribute = "idsyncState"
    /// Nil where a site carries the state in an existing attribute and adds no schema.
    public var stateObjectClass: String? = "idsyncAccount"
    public var objectClasses = ["inetOrgPerson"]
    public var pageSize = 1000
    public var writeWindow = 64
}

extension DirectoryConfig {
    /// Why this URL must not be used, or nil. One URL only (libldap would try a second one
    /// in a list); plain ldap:// only to loopback unless `allow_plaintext` says otherwise.
    public var transportProblem: String? {
        let url = self.url.lowercased()
        guard !url.contains(where: { $0.isWhitespace || $0 == "," }) else {
            return "directory.url must be one URL with no spaces or commas, found '\(self.url)'"
        }
        guard url.hasPrefix("ldap://") || url.hasPrefix("ldaps://") || url.hasPrefix("ldapi://") else {
            return "directory.url must start with ldaps://, ldap:// or ldapi://, found '\(self.url)'"
        }
        guard url.hasPrefix("ldap://"), !startTLS, !allowPlaintext else { return nil }
        guard DirectoryConfig.isLoopback(host: DirectoryConfig.host(of: url)) else {
            return "directory.url \(self.url) is plain LDAP to another host: use ldaps://, or start_tls: true, "
                + "or (only on a trusted network) allow_plaintext: true"
        }
        return nil
    }

    /// The host part of `scheme://host[:port][/...]`, brackets kept for IPv6.
    static func host(of url: String) -> String {
        let rest = url.drop { $0 != "/" }.dropFirst(2)
        if rest.hasPrefix("[") { return String(rest.prefix { $0 != "]" }) + "]" }
        return String(rest.prefix { $0 != ":" && $0 != "/" })
    }

    /// localhost, [::1], or a dotted-quad IPv4 address in 127.0.0.0/8: the rule HTTP uses.
    static func isLoopback(host: String) -> Bool {
        LoopbackHost.matches(host)
    }
}

/// One placement rule: people who match go under `container`.
public struct PlacementRule: Sendable {
    public var name: String
    public var match: [HRField: Set<String>]
    public var container: DistinguishedName
}

public struct AccountMapping: Sendable {
    public var loginTemplate = "{first.1}{last}"
    public var loginMaxLength = 20
    public var loginAttribute = "uid"
    /// Templates in the order they are written; an empty result removes the attribute.
    public var attributes: [(name: String, template: Template)]
    public var placement: [PlacementRule] = []
}

public enum MFALevel: String, Sendable, Codable, Comparable {
    case none
    case standard
    case phishingResistant = "phishing-resistant"

    private var rank: Int {
        switch self {
        case .none: return 0
        case .standard: return 1
        case .phishingResistant: return 2
        }
    }

    public static func < (lhs: MFALevel, rhs: MFALevel) -> Bool { lhs.rank < rhs.rank }
}

/// A role rule: who it matches (every listed field must match one of its values) and
/// what it grants.
public struct RoleRule: Sendable {
    public var name: String
    public var match: [HRField: Set<String>]
    public var groups: [String]
    public var mfa: MFALevel
}

public struct RoleRules: Sendable {
    public var rules: [RoleRule]
    public var privilegedGroups: Set<String>

    /// Every group some rule grants: the only groups idsync ever changes.
    public var managedGroups: Set<String> { Set(rules.flatMap(\.groups)) }
}

public struct LifecyclePolicy: Sendable {
    public enum LeavePolicy: String, Sendable { case keep, disable }
    public enum OrphanPolicy: String, Sendable { case report, disable }

    public var preHireDays = 0
    public var leaveOfAbsence: LeavePolicy = .keep
    public var orphans: OrphanPolicy = .report
    public var enrollmentGroup: String?
    public var reverificationGroup: String?
}

/// A limit given both as a count and as a share of the managed accounts; either stops.
public struct Budget: Sendable {
    public var count: Int
    public var percent: Double
}

public struct GuardConfig: Sendable {
    public var maxFeedShrinkPercent = 10.0
    public var leavers = Budget(count: 50, percent: 5)
    public var groupRemovals = Budget(count: 500, percent: 10)
    public var renames = Budget(count: 50, percent: 5)
    /// Additions budgets; nil (the default) sets no limit.
    public var joiners: Budget?
    public var privilegedGrants: Budget?
}

public struct ProtectedAccounts: Sendable {
    public var dns: Set<DistinguishedName> = []
    public var groups: Set<DistinguishedName> = []
    public var attribute: String?
    public var values: Set<String> = []
}

/// The whole configuration of one site, as read from idsync.yaml and its mappings.
public struct Config: Sendable {
    public var file: String
    public var timeZone: TimeZone
    public var locationZones: [String: TimeZone]
    public var feed: FeedConfig
    public var directory: DirectoryConfig
    public var mapping: AccountMapping
    public var roles: RoleRules
    public var policy: LifecyclePolicy
    public var guards: GuardConfig
    public var protected: ProtectedAccounts
    public var auditPath: String
    public var lockPath: String
    public var exceptions = ExceptionPolicy()
    public var credentials = CredentialPolicy()
    /// SHA-256 of the config and every mapping file it loaded (`sha256:…`), for plans and audit.
    public var hash = ""
    /// The files behind `hash`, in the order they were read.
    public var files: [String] = []
    public var monitoring = MonitoringConfig()
    public var mfa = MFAConfig()
    public var terminate = TerminateConfig()
    public var report = ReportConfig()
    public var approval = ApprovalConfig()

    /// The zone a person's dates are read in: their location's, else the site's.
    public func zone(forLocation location: String) -> TimeZone {
        locationZones[location.lowercased()] ?? timeZone
    }

    /// The DN of a managed group named in the role rules.
    public func groupDN(_ name: String) -> DistinguishedName {
        directory.groups.child("cn", name)
    }
}

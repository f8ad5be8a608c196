import Foundation

/// Access that no role rule gives, granted for a while by someone who approved it: float-pool
/// cover, research access. One entry of the exceptions file.
public struct AccessException: Sendable, Equatable {
    public var employeeID: String
    /// The managed group granted, by name as the role rules name it.
    public var group: String
    /// The last day the grant holds, in the person's local date; it goes the day after.
    public var until: LocalDate
    public var approvedBy: String
    public var why: String
    /// Where the entry is, `file:line`, for every message about it.
    public var source: String

    public init(
        employeeID: String, group: String, until: LocalDate, approvedBy: String, why: String,
        source: String
    ) {
        self.employeeID = employeeID
        self.group = group
        self.until = until
        self.approvedBy = approvedBy
        self.why = why
        self.source = source
    }

    /// Whether the grant holds on `date`: through `until`, gone from the next day.
    public func holds(on date: LocalDate) -> Bool { date <= until }
}

/// The exceptions file and how far ahead, and to whom, it may grant.
public struct ExceptionPolicy: Sendable {
    /// What a grant of a privileged group to someone without a phishing-resistant level does.
    public enum Privileged: String, Sendable { case refuse, hold }

    public var path: String?
    /// The farthest `until` may lie after the run's date.
    public var maxDays = 90
    public var privileged: Privileged = .refuse
    /// How many days ahead an ending exception is reported.
    public var warnDays = 14
    public var entries: [AccessException] = []

    public init() {}

    /// The entries of one person, keyed by `Person.key`; built once per run.
    public func byPerson() -> [String: [AccessException]] {
        Dictionary(grouping: entries) { Person.key($0.employeeID) }
    }

    /// Throws for the first entry whose `until` lies beyond the horizon from `today` (the
    /// site's date of the run): an approval that long is not an exception any more.
    public func checkHorizon(today: LocalDate) throws {
        for entry in entries where today.days(until: entry.until) > maxDays {
            throw ExceptionFileError(
                source: entry.source,
                message: "'until' \(entry.until) is \(today.days(until: entry.until)) days after "
                    + "\(today), more than exceptions.max_days (\(maxDays)); approve a shorter "
                    + "exception, or give the access through a role rule"
            )
        }
    }
}

/// A problem in the exceptions file, at `file:line`, with what to do.
public struct ExceptionFileError: Error, CustomStringConvertible, Sendable {
    public let source: String
    public let message: String

    public var description: String { "\(source): \(message)" }
}

/// What a disable also does to the credentials other systems check (RADIUS, VPN, SSH,
/// certificate logins), which a ppolicy lock does not stop.
public struct CredentialPolicy: Sendable {
    /// The OpenLDAP defaults: the password (replaced with an unusable value, see the
    /// connector), the NT hash Samba and RADIUS check, SSH keys and certificates.
    public static let openLDAPDefaults = [
        "userPassword", "sambaNTPassword", "sshPublicKey", "userCertificate",
    ]

    /// Nil when the wipe is not configured: a disable locks and nothing more.
    public var attributes: [String]?

    public init(attributes: [String]? = nil) {
        self.attributes = attributes
    }

    /// The configured names lower-cased, without options, in the order configured.
    public var names: [String] { (attributes ?? []).map { $0.lowercased() } }

    public var isEnabled: Bool { !(attributes ?? []).isEmpty }

    /// The configured attribute that `present` (a name the server returned, options kept,
    /// such as `userCertificate;binary`) is, or nil.
    public func configured(_ present: String) -> String? {
        let base =
            present.split(separator: ";").first.map { $0.lowercased() } ?? present.lowercased()
        return (attributes ?? []).first { $0.lowercased() == base }
    }
}

extension RoleRules {
    /// A group is privileged when `privileged_groups` lists it, or when every rule that
    /// grants it demands phishing-resistant MFA: a group a standard-level rule also grants
    /// (ehr-users, granted to nurses and superusers alike) is not.
    public func isPrivileged(_ group: String) -> Bool {
        if privilegedGroups.contains(group) { return true }
        let granting = rules.filter { $0.groups.contains(group) }
        return !granting.isEmpty && granting.allSatisfy { $0.mfa == .phishingResistant }
    }
}

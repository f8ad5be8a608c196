import Foundation

/// The `mfa:` section of idsync.yaml: policy, and the connectors a site runs.
public struct MFAConfig: Sendable {
    /// What happens to a new privileged grant for someone without a phishing-resistant factor.
    public enum PrivilegedGrants: String, Sendable { case hold, grant }
    /// What happens to a joiner still not enrolled when the enrollment window closes.
    public enum LapsedEnrollment: String, Sendable { case report, lock }

    public var privilegedGrants: PrivilegedGrants = .hold
    /// Days from the account's creation within which a joiner must enroll; nil: no window.
    public var enrollmentDays: Int?
    public var lapsedEnrollment: LapsedEnrollment = .report
    /// Nil: members of privileged groups without a phishing-resistant factor are only reported.
    public var memberRemoval: MemberRemoval?
    public var connectors: [MFAConnectorSettings] = []

    public init() {}
}

/// `noncompliant_members: {remove_from: DATE}`: from that date, on each person's local date,
/// members of privileged groups with no usable phishing-resistant factor leave those groups.
public struct MemberRemoval: Sendable, Equatable {
    public var from: LocalDate
    /// `idsync.yaml:23`, so that every reason and finding names the policy it comes from.
    public var source: String

    public init(from: LocalDate, source: String) {
        self.from = from
        self.source = source
    }

    /// How reasons name the policy:
    /// `mfa.noncompliant_members.remove_from 2027-03-01 (idsync.yaml:23)`.
    public var name: String { "mfa.noncompliant_members.remove_from \(from) (\(source))" }

    /// Whether members are removed on `date`, a person's local date.
    public func applies(on date: LocalDate) -> Bool { date >= from }
}

/// One connector's block, kept as text: the connector itself reads and checks its keys.
/// Paths are already made absolute against the config file's folder.
public struct MFAConnectorSettings: Sendable {
    public var name: String
    public var type: String
    public var values: [String: String]
    /// `idsync.yaml:41` for messages about this block.
    public var origin: String

    public init(name: String, type: String, values: [String: String], origin: String) {
        self.name = name
        self.type = type
        self.values = values
        self.origin = origin
    }

    public func value(_ key: String) -> String? { values[key] }

    /// The value, or an error naming the block and the key.
    public func require(_ key: String) throws -> String {
        guard let value = values[key], !value.isEmpty else {
            throw MFAConfigProblem("\(origin): mfa connector '\(name)' (\(type)) needs '\(key)'")
        }
        return value
    }
}

public struct MFAConfigProblem: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

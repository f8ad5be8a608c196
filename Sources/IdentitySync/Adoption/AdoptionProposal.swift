import Foundation

/// How sure a proposed pairing of an unclaimed account with an HR person is.
public enum MatchConfidence: String, Sendable, Codable, Comparable, CaseIterable {
    /// The name alone matches.
    case low
    /// The name matches, and the department or the manager does too.
    case medium
    /// HR's work mail address is the account's mail.
    case high

    private var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        }
    }

    public static func < (lhs: MatchConfidence, rhs: MatchConfidence) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// One attribute of the account that agrees with one HR field of the person, with both values.
public struct MatchEvidence: Sendable, Codable, Equatable {
    /// The directory attribute, as the entry names it (`mail`, `cn`, `departmentNumber`).
    public let attribute: String
    public let accountValue: String
    /// The HR field or fields (`work_email`, `first_name+last_name`).
    public let field: String
    public let hrValue: String

    public init(attribute: String, accountValue: String, field: String, hrValue: String) {
        self.attribute = attribute
        self.accountValue = accountValue
        self.field = field
        self.hrValue = hrValue
    }

    /// `mail 'jsmith@example.org' = work_email 'JSmith@example.org'`
    public var text: String { "\(attribute) '\(accountValue)' = \(field) '\(hrValue)'" }
}

/// A proposal that an unclaimed account is an HR person's: one row of the review file.
public struct AdoptionProposal: Sendable, Codable, Equatable {
    public let accountDN: String
    public let login: String
    public let employeeID: String
    /// The name the person goes by, then the last name, as HR writes them.
    public let hrName: String
    public let hrStatus: String
    public let confidence: MatchConfidence
    public let evidence: [MatchEvidence]
    /// The other proposals for the same account or the same person, described; empty when
    /// this one stands alone.
    public var competing: [String] = []

    /// Two candidate accounts for one person, or two people for one account.
    public var isAmbiguous: Bool { !competing.isEmpty }

    /// Only a mail match that nothing competes with is approved in the review file ahead of
    /// the reviewer; every other row waits for a person to say yes.
    public var isAutoApproved: Bool { confidence == .high && !isAmbiguous }

    public var evidenceText: String { evidence.map(\.text).joined(separator: "; ") }
}

import Foundation

/// What HR says about a person's employment, after the layout's value lists were applied.
public enum EmploymentStatus: String, Sendable, Codable {
    case active
    case leaveOfAbsence = "leave-of-absence"
    case terminated
}

/// Employee or contractor; contractors and locums carry an end date that expires them.
public enum WorkerCategory: String, Sendable, Codable {
    case employee
    case contractor
}

/// One person as HR states it, normalized: the feed's field names are gone.
public struct Person: Sendable, Codable {
    public var employeeID: String {
        didSet { key = Person.key(employeeID) }
    }
    public var firstName: String
    public var preferredName: String?
    public var lastName: String
    public var jobTitle: String
    public var jobCode: String
    public var department: String
    public var location: String
    public var workerType: String
    public var workerCategory: WorkerCategory
    public var status: EmploymentStatus
    public var hireDate: LocalDate?
    public var terminationDate: LocalDate?
    public var contractEndDate: LocalDate?
    public var managerID: String?
    /// HR's work mail address, where the layout has the column: adoption's strongest evidence.
    public var workEmail: String?
    /// Where the person came from in the feed, for reports: "hr/day1.csv:14".
    public var source: String {
        sourceLine > 0 ? "\(sourceFile):\(sourceLine)" : sourceFile
    }
    /// The feed's name, one string that every person of the feed shares, and the line.
    public var sourceFile: String
    public var sourceLine: Int32

    /// The employee id as records are matched: trimmed and case-folded. Kept, not computed:
    /// sorting and indexing 100,000 people ask for it millions of times.
    public private(set) var key: String

    public init(employeeID: String, firstName: String, preferredName: String?, lastName: String,
                jobTitle: String, jobCode: String, department: String, location: String,
                workerType: String, workerCategory: WorkerCategory, status: EmploymentStatus,
                hireDate: LocalDate?, terminationDate: LocalDate?, contractEndDate: LocalDate?,
                managerID: String?, source: String, line: Int = 0) {
        self.employeeID = employeeID
        self.key = Person.key(employeeID)
        self.firstName = firstName
        self.preferredName = preferredName
        self.lastName = lastName
        self.jobTitle = jobTitle
        self.jobCode = jobCode
        self.department = department
        self.location = location
        self.workerType = workerType
        self.workerCategory = workerCategory
        self.status = status
        self.hireDate = hireDate
        self.terminationDate = terminationDate
        self.contractEndDate = contractEndDate
        self.managerID = managerID
        self.sourceFile = source
        self.sourceLine = Int32(clamping: line)
    }

    public static func key(_ employeeID: String) -> String {
        let id = employeeID.trimmed
        // Most ids are digits: nothing to fold.
        guard id.utf8.contains(where: { $0 >= 0x41 }) else { return id }
        return id.lowercased()
    }

    /// The name the person goes by: the preferred name where HR has one.
    public var displayFirstName: String {
        guard let preferred = preferredName, !preferred.isEmpty else { return firstName }
        return preferred
    }
}

/// A feed row that could not be turned into a person.
///
/// The person's account is left as it is, unless the row still states a termination
/// plainly (an employee id, a terminated status or a termination date that parsed): then
/// `termination` carries it and the person is still disabled.
public struct QuarantinedRecord: Sendable, Codable {
    public let source: String
    public let employeeID: String?
    public let problems: [String]
    public let termination: Person?

    public init(source: String, employeeID: String?, problems: [String], termination: Person?) {
        self.source = source
        self.employeeID = employeeID
        self.problems = problems
        self.termination = termination
    }
}

/// Everything a feed read: people, rows set aside, and notes for the report.
public struct FeedSnapshot: Sendable {
    public var people: [Person]
    public var quarantined: [QuarantinedRecord]
    public var notices: [String]
    /// Rows the feed held, bad ones included; zero means an empty feed.
    public var rowCount: Int
    public var origin: String
    /// When the feed was made: its export record's or column's instant, else the file's
    /// modification time; nil where neither is known.
    public var date: FeedDate?

    public init(people: [Person], quarantined: [QuarantinedRecord], notices: [String],
                rowCount: Int, origin: String) {
        self.people = people
        self.quarantined = quarantined
        self.notices = notices
        self.rowCount = rowCount
        self.origin = origin
    }

    /// The keys of the rows set aside that carry an employee id.
    public var quarantinedKeys: Set<String> {
        Set(quarantined.compactMap { $0.employeeID.map(Person.key) })
    }
}

/// A source of HR records: a CSV export now, SCIM later. A read that cannot be trusted
/// to be complete throws `FeedError.incomplete`.
public protocol HRFeed {
    func read() throws -> FeedSnapshot
}

public enum FeedError: Error, CustomStringConvertible {
    case incomplete(String)
    /// Older than `feed.max_age`: yesterday's file must not make a quiet night.
    case stale(String)

    public var description: String {
        switch self {
        case .incomplete(let text): return "the feed cannot be trusted to be complete: \(text)"
        case .stale(let text): return "the feed is stale: \(text)"
        }
    }
}

import Foundation

/// How a directory entry is locked, as the directory flavour reports it.
public enum AccountLock: Sendable, Codable, Equatable {
    case none
    /// The administrative lock idsync writes (in OpenLDAP the permanent ppolicy value).
    case administrative
    /// A lock idsync did not write, such as one set after failed logins. Never cleared.
    case other(String)

    public var isLocked: Bool { self != .none }
}

/// Why idsync disabled an account; kept on the account so that later runs know.
public enum DisableReason: String, Sendable, Codable {
    case leaver
    case contractEnded = "contract-ended"
    case leaveOfAbsence = "leave"
    case prehire
    case orphan
    case vanished
    /// The joiner's MFA enrollment window closed without a factor (policy `lapsed_enrollment: lock`).
    case enrollmentLapsed = "enrollment-lapsed"
}

/// The facts idsync keeps on an account between runs (DESIGN: what idsync remembers, it
/// keeps on the account). Serialized into one attribute as `key=value` pairs.
public struct AccountState: Sendable, Codable, Equatable {
    public var managed = true
    public var disabledBy: DisableReason?
    public var disabledOn: LocalDate?
    /// The person's local date when idsync created the account.
    public var createdOn: LocalDate?
    public var enrollmentPending = false
    public var reverificationPending = false
    /// When the run that demanded the re-verification ran: only a sign-in after it counts.
    /// Nil for a demand stored bare by an older run, which the MFA planner dates afresh.
    public var reverificationDemanded: Date?
    public var revocationPending = false
    /// idsync replaced the password and removed the other credentials when it disabled the
    /// account, so the userPassword there now is the unusable one.
    public var credentialsWiped = false
    /// Employee ids a reviewer said this unclaimed account does not belong to
    /// (`idsync adopt`), so that the match is not proposed again.
    public var notMatches: [String] = []
    /// Every MFA connector confirmed the leaver's authenticators revoked and sessions ended:
    /// later runs no longer ask them about this account.
    public var revocationComplete = false
    /// An operator ended this person's access on demand (`idsync terminate`) on this date:
    /// nightly runs keep the account disabled until HR agrees or an operator reinstates it.
    public var terminatedOn: LocalDate?
    /// The ticket of that termination, or `run:ID` naming its audit records; never the reason.
    public var terminationRef: String?

    public init() {}

    /// Reads the stored form; unknown keys are ignored so older and newer runs coexist.
    public init?(stored: String) {
        guard stored.hasPrefix("idsync:v1") else { return nil }
        for pair in stored.split(separator: ";").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? parts[1] : ""
            switch parts[0] {
            case "disabled": disabledBy = DisableReason(rawValue: value)
            case "disabled-on": disabledOn = LocalDate(iso: value)
            case "created-on": createdOn = LocalDate(iso: value)
            case "enroll": enrollmentPending = true
            case "reverify":
                reverificationPending = true
                reverificationDemanded = AccountState.instant(value)
            case "revoke": revocationPending = true
            case "wiped": credentialsWiped = true
            case "not-match": notMatches = value.split(separator: ",").map(String.init)
            case "revoked": revocationComplete = true
            case "terminated": terminatedOn = LocalDate(iso: value)
            case "terminated-ref": terminationRef = value
            default: continue
            }
        }
    }

    /// The stored form, with keys in a fixed order so equal states store equal strings.
    public var stored: String {
        var parts = ["idsync:v1"]
        if let reason = disabledBy { parts.append("disabled=\(reason.rawValue)") }
        if let date = disabledOn { parts.append("disabled-on=\(date)") }
        if let date = createdOn { parts.append("created-on=\(date)") }
        if enrollmentPending { parts.append("enroll") }
        if reverificationPending {
            let demanded = reverificationDemanded.map { "=" + AccountState.stamp($0) } ?? ""
            parts.append("reverify" + demanded)
        }
        if revocationPending { parts.append("revoke") }
        if credentialsWiped { parts.append("wiped") }
        if !notMatches.isEmpty {
            parts.append("not-match=" + notMatches.sorted().joined(separator: ","))
        }
        if revocationComplete { parts.append("revoked") }
        if let date = terminatedOn { parts.append("terminated=\(date)") }
        if let ref = terminationRef { parts.append("terminated-ref=\(ref)") }
        return parts.joined(separator: ";")
    }

    /// The demand's instant in UTC to the second (`2026-12-04T02:00:07Z`): a date alone would
    /// let a sign-in earlier that day, before the access grew, count as the re-verification.
    static func stamp(_ instant: Date) -> String {
        ISO8601DateFormatter().string(from: instant)
    }

    static func instant(_ text: String) -> Date? {
        text.isEmpty ? nil : ISO8601DateFormatter().date(from: text)
    }
}

/// A person's entry as the directory shows it. Attribute names are lower-cased.
public struct ObservedAccount: Sendable {
    public var dn: DistinguishedName
    public var login: String
    public var employeeID: String?
    public var attributes: AttributeMap
    public var lock: AccountLock
    /// Nil when the entry carries no idsync state: idsync never claimed it.
    public var state: AccountState? {
        get { sharedState?.state }
        set { sharedState = newValue.map(SharedAccountState.init) }
    }
    /// True when idsync created or adopted the account: it carries idsync's state, and not
    /// only the mark of an orphan that policy disabled.
    public var isClaimed: Bool {
        guard let state else { return false }
        return state.disabledBy != .orphan
    }
    /// The state in a box that accounts with the same stored state share: most carry one of
    /// a few, and a directory read holds an account per person.
    public var sharedState: SharedAccountState?
    /// The configured credential attributes the entry holds, names as the server sent them
    /// (lower-case, options kept: `usercertificate;binary`). Presence only, never a value.
    public var credentials: [String] = []

    public init(dn: DistinguishedName, login: String, employeeID: String?,
                attributes: AttributeMap, lock: AccountLock, state: AccountState?) {
        self.dn = dn
        self.login = login
        self.employeeID = employeeID
        self.attributes = attributes
        self.lock = lock
        self.sharedState = state.map(SharedAccountState.init)
    }
}

/// An account's state, boxed so that many accounts can hold one copy (`ObservedAccount`).
public final class SharedAccountState: Sendable {
    public let state: AccountState

    public init(_ state: AccountState) {
        self.state = state
    }
}

/// A managed group and its members. Members are kept in normalized form
/// (`DistinguishedName.normalized`), compared the way LDAP compares DNs: a large group has
/// a member per person, and a string each is a fraction of a parsed DN.
public struct ObservedGroup: Sendable {
    public var dn: DistinguishedName
    public var members: Set<String>

    public init(dn: DistinguishedName, members: Set<String>) {
        self.dn = dn
        self.members = members
    }
}

/// The part of the directory a run looks at, read in one pass before planning.
public struct ObservedDirectory: Sendable {
    public var accounts: [ObservedAccount]
    public var groups: [DistinguishedName: ObservedGroup]
    /// Every uid and mail value in the naming context, lower-cased, for login collisions.
    public var namesInUse: NamesInUse
    /// A hash of what was read, so a saved plan can tell whether the directory moved.
    public var fingerprint: String
    /// Entries under the people subtree with an employee id but no login value: no
    /// account idsync can manage, each named on every plan.
    public var loginless: [LoginlessEntry] = []
    /// Entries outside the people subtree that carry idsync's state or an employee id:
    /// accounts moved out by hand among them (`Finding.Kind.accountOutsidePeople`).
    public var outsidePeople: [OutsideEntry] = []
    /// Watched group DNs held by an entry that is no groupOfNames, with that entry's object
    /// classes: the group cannot be created there (`Finding.Kind.groupDNTaken`).
    public var occupiedGroupDNs: [DistinguishedName: [String]] = [:]
    /// Placement rules' containers that no entry is at: nobody is created or moved there
    /// (`Finding.Kind.containerMissing`).
    public var missingContainers: Set<DistinguishedName> = []

    public init(accounts: [ObservedAccount], groups: [DistinguishedName: ObservedGroup],
                takenNames: Set<String>, fingerprint: String) {
        self.init(accounts: accounts, groups: groups, namesInUse: NamesInUse(takenNames),
                  fingerprint: fingerprint)
    }

    public init(accounts: [ObservedAccount], groups: [DistinguishedName: ObservedGroup],
                namesInUse: NamesInUse, fingerprint: String) {
        self.accounts = accounts
        self.groups = groups
        self.namesInUse = namesInUse
        self.fingerprint = fingerprint
    }
}

/// An entry under the people subtree that carries an employee id but no login value.
public struct LoginlessEntry: Sendable, Equatable {
    /// As the server sent it.
    public let dn: String
    public let employeeID: String

    public init(dn: String, employeeID: String) {
        self.dn = dn
        self.employeeID = employeeID
    }
}

/// An entry outside the people subtree that carries idsync's state or an employee id. idsync
/// manages nothing outside the people subtree, so such an entry is only named.
public struct OutsideEntry: Sendable, Equatable {
    /// As the server sent it.
    public let dn: String
    public let employeeID: String?
    /// It carries idsync's state attribute: idsync created or adopted it.
    public let claimed: Bool
    /// It carries a ppolicy lock, whoever set it.
    public let locked: Bool

    public init(dn: String, employeeID: String?, claimed: Bool, locked: Bool) {
        self.dn = dn
        self.employeeID = employeeID
        self.claimed = claimed
        self.locked = locked
    }
}

/// The uid and mail values in use, lower-cased. Made on first use where the accounts hold
/// them: only a run with joiners asks, and hashing 200,000 names that nobody asks about was a
/// tenth of reading a 100,000-person directory.
public final class NamesInUse: @unchecked Sendable {
    private let lock = NSLock()
    private var names: Set<String>?
    private let make: @Sendable () -> Set<String>

    public init(_ names: Set<String>) {
        self.names = names
        self.make = { names }
    }

    /// `elsewhere`: the names of entries that are not accounts, and any an account holds in
    /// an attribute it does not keep; the rest are each account's `uid` and `mail` values.
    public init(elsewhere: Set<String>, accounts: [ObservedAccount]) {
        self.make = {
            var names = elsewhere
            names.reserveCapacity(elsewhere.count + 2 * accounts.count)
            for account in accounts {
                let values = (account.attributes["uid"] ?? []) + (account.attributes["mail"] ?? [])
                for value in values { names.insert(NamesInUse.lowered(value)) }
            }
            return names
        }
    }

    public func contains(_ name: String) -> Bool {
        all.contains(name)
    }

    /// Every name in use; made on the first question.
    public var all: Set<String> {
        lock.withLock {
            if names == nil { names = make() }
            return names!
        }
    }

    /// The value lower-cased; an already lower-case value is the same string.
    public static func lowered(_ value: String) -> String {
        value.utf8.contains { (65...90).contains($0) } ? value.lowercased() : value
    }
}

import Foundation

/// Where a person stands on the run's date (DESIGN: lifecycle on the run's date).
public enum Lifecycle: String, Sendable, Codable {
    case preHire = "pre-hire"
    case active
    case leaveOfAbsence = "leave-of-absence"
    case leaver
    case contractEnded = "contract-ended"
}

/// The kind of one planned step. The order of the cases is not the order of apply.
public enum ChangeKind: String, Sendable, Codable, CaseIterable {
    case createGroup = "create-group"
    case createAccount = "create-account"
    case setAttributes = "set-attributes"
    case move
    case disable
    case enable
    case addToGroup = "add-to-group"
    case removeFromGroup = "remove-from-group"
    case flagMFAEnrollment = "flag-mfa-enrollment"
    case requireMFAReverification = "require-mfa-reverification"
    // MFA connectors: the target is the connector's name.
    case revokeAuthenticators = "revoke-authenticators"
    case deleteAuthenticators = "delete-authenticators"
    case unassignAuthenticators = "unassign-authenticators"
    case revokeSessions = "revoke-sessions"
    case ensureMFAUser = "ensure-mfa-user"
    /// Failed-attempt counters cleared for someone back from a lock idsync made.
    case resetMFAFailCounters = "reset-mfa-failcounters"
    /// The directory write that records a leaver's revocations as complete in every connector.
    case recordRevocation = "record-revocation-complete"
}

/// Which of the three lifecycle moments (or which exception) a change belongs to.
public enum ChangeCategory: String, Sendable, Codable, CaseIterable {
    case joiner
    case mover
    case leaver
    case rehire
    case contractEnded = "contract-ended"
    case orphan
    case directory
}

/// One attribute before and after, values as the directory stores them.
public struct AttributeEdit: Sendable, Codable, Equatable {
    public let name: String
    public let before: [String]
    public let after: [String]
}

/// An HR field that caused a change: its value now and, where the directory reflects an
/// earlier one, that value before.
public struct FieldEvidence: Sendable, Codable, Equatable {
    public let field: String
    public let value: String
    public let before: String?

    public init(field: String, value: String, before: String? = nil) {
        self.field = field
        self.value = value
        self.before = before
    }
}

/// Why a change is planned: the rule that asked for it and the HR fields behind it.
public struct Reason: Sendable, Codable, Equatable {
    public let rule: String
    public let text: String
    public let fields: [FieldEvidence]

    public init(rule: String, text: String, fields: [FieldEvidence] = []) {
        self.rule = rule
        self.text = text
        self.fields = fields
    }
}

/// One planned step against the directory, carrying its reason.
public struct Change: Sendable, Codable, Equatable {
    public let kind: ChangeKind
    public let category: ChangeCategory
    public let employeeID: String?
    public let login: String?
    /// The entry the change acts on; for a group change, the member's DN.
    public let dn: String
    /// The group for group changes, the new DN for a move.
    public let target: String?
    public let attributes: [AttributeEdit]
    /// The idsync state the account carries once this change is applied.
    public let state: String?
    public let reason: Reason
    /// Credential attributes this disable takes away in the same modify as the lock, names
    /// as the entry holds them; a password is replaced with an unusable value. Never values.
    public let wipe: [String]?

    public init(kind: ChangeKind, category: ChangeCategory, employeeID: String?, login: String?,
                dn: String, target: String? = nil, attributes: [AttributeEdit] = [],
                state: String? = nil, reason: Reason, wipe: [String]? = nil) {
        self.kind = kind
        self.category = category
        self.employeeID = employeeID
        self.login = login
        self.dn = dn
        self.target = target
        self.attributes = attributes
        self.state = state
        self.reason = reason
        self.wipe = wipe
    }
}

/// Something the report must show that is not a change: a held person, a conflict
/// between HR fields, a protected account a change aimed at, an orphan.
public struct Finding: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case quarantined
        case conflict
        case protected
        case orphan
        case held
        case notReEnabled = "not-re-enabled"
        case workerConversion = "worker-conversion"
        /// An exceptions-file entry that ends soon, was refused, or names nobody in the feed.
        case exception
        case probableAccount = "probable-existing-account"
        case nonCompliant = "non-compliant"
        case enrollmentOverdue = "enrollment-overdue"
        /// A connector could not be asked, so what depended on its answer was not done: a
        /// bulk listing failed (disabled accounts went unchecked this run), or a member's
        /// factors could not be read (no policy removal). A sync then exits 1.
        case mfaUnchecked = "mfa-unchecked"
        /// A mover still waits to re-verify: no connector shows an MFA sign-in since the
        /// demand, or none can tell (its connector is named).
        case reverificationPending = "reverification-pending"
        /// HR's manager links: a person who is their own manager, a loop of managers, or a
        /// manager id no row of the feed carries. Nothing is withheld for it.
        case manager
        /// An entry under the people subtree with an employee id but no login value: idsync
        /// can neither manage nor disable it, so a password on it binds after its person
        /// leaves. A run with one exits 1 until it is given a login or removed.
        case unmanagedEntry = "unmanaged-entry"
        /// A managed group's DN is held by an entry that is no groupOfNames: the group is not
        /// created and nobody is added to it. A run with one exits 1 until the entry is moved.
        case groupDNTaken = "group-dn-taken"
        /// A placement rule's container does not exist: the people it places are neither
        /// created nor moved there. A run with one exits 1 until the container is made.
        case containerMissing = "container-missing"
        /// The plan disables accounts (or creates them disabled) but directory.password_policy
        /// is not set: no lock can be confirmed, so a sync fails every one of them.
        case disableUnconfirmed = "disable-unconfirmed"
        /// Several entries under the people subtree carry one employee id. A leaver's
        /// entries are disabled all the same; anyone else's are left as they are. A run with
        /// one exits 1 until one entry is left.
        case duplicateEmployeeID = "duplicate-employee-id"
        /// An entry outside the people subtree carries idsync's state or a feed person's
        /// employee id: an account moved out by hand, which idsync no longer manages. The
        /// person gets no second account, and a leaver's stays as it is. A run with one exits 1.
        case accountOutsidePeople = "account-outside-people"
        /// A joiner has the name of an account disabled this run because its employee id
        /// vanished from the feed (an employeeNumber edited by hand looks so): the disable
        /// goes ahead and the joiner's account waits. A run with one exits 1.
        case vanishedNamesake = "vanished-namesake"
        /// Members of a managed group that are no idsync account nor the placeholder (a
        /// service entry, a DN no entry has). Not removed; a run with one exits 0.
        case foreignMember = "foreign-member"
        /// The same in a group whose role demands phishing-resistant MFA: a run with one
        /// exits 1.
        case foreignPrivilegedMember = "foreign-privileged-member"
        /// An HR department or job code that no role or placement rule matches, while the
        /// people with it lose every role group they had (a value renamed in HR looks so).
        /// Nothing is withheld for it.
        case unmatchedHRValue = "unmatched-hr-value"
    }

    public let kind: Kind
    public let employeeID: String?
    public let dn: String?
    public let text: String

    public init(kind: Kind, employeeID: String?, dn: String?, text: String) {
        self.kind = kind
        self.employeeID = employeeID
        self.dn = dn
        self.text = text
    }
}

extension Change {
    /// An account created disabled, ahead of its start date: its state already says disabled.
    public var createsLockedAccount: Bool {
        // Most creations carry no disable: the key is looked for before the state is parsed.
        guard kind == .createAccount, let state, state.contains(";disabled=") else { return false }
        return AccountState(stored: state)?.disabledBy != nil
    }
}

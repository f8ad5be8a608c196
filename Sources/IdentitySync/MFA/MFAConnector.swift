import Foundation

/// What kind of factor an authenticator is, in one vocabulary for every connector. Each
/// connector maps its vendor's type names onto these.
public enum AuthenticatorKind: String, Sendable, Codable {
    case webauthn
    case passkey
    case certificate
    case totp
    case hotp
    case sms
    case email
    case push
    case voice
    case other

    /// Only FIDO2/WebAuthn, passkeys and certificates (smart cards) resist phishing: the
    /// others hand over a code or an approval that a fake sign-in page can relay.
    public var isPhishingResistant: Bool {
        self == .webauthn || self == .passkey || self == .certificate
    }
}

/// One registered authenticator as a connector reports it. It never carries a secret:
/// an id (a serial, a factor id), the vendor's type name and the state that matters.
public struct Authenticator: Sendable, Codable, Equatable {
    public let id: String
    public let type: String
    public let kind: AuthenticatorKind
    /// It can sign someone in now: enrolled, enabled, not revoked.
    public let usable: Bool
    /// Final: revoked (privacyIDEA) and so never usable again.
    public let revoked: Bool

    /// A revoked authenticator is not usable, whatever the connector says: an exec program
    /// answering `usable: true, revoked: true` must not count as a phishing-resistant factor.
    public init(id: String, type: String, kind: AuthenticatorKind, usable: Bool, revoked: Bool = false) {
        self.id = id
        self.type = type
        self.kind = kind
        self.usable = usable && !revoked
        self.revoked = revoked
    }

    /// Through `init`, so that a saved plan cannot bring back a usable revoked authenticator.
    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try fields.decode(String.self, forKey: .id),
                  type: try fields.decode(String.self, forKey: .type),
                  kind: try fields.decode(AuthenticatorKind.self, forKey: .kind),
                  usable: try fields.decode(Bool.self, forKey: .usable),
                  revoked: try fields.decode(Bool.self, forKey: .revoked))
    }

    /// How plans and audit records name it: `TOTP0001 (totp)`, with a state where it is not usable.
    public var label: String {
        let state = revoked ? ", revoked" : (usable ? "" : ", disabled")
        return "\(id) (\(type)\(state))"
    }
}

/// The person a connector is asked about, with the keys connectors find users by.
public struct MFASubject: Sendable, Hashable, Codable {
    public let employeeID: String
    public let login: String
    public let dn: String
    public let mail: String?

    public init(employeeID: String, login: String, dn: String, mail: String? = nil) {
        self.employeeID = employeeID
        self.login = login
        self.dn = dn
        self.mail = mail
    }
}

/// A user as one connector sees them. `exists: false` is said only when the connector is
/// sure (it looked the user up by every key it has); otherwise observing fails.
public struct MFAUserState: Sendable, Equatable {
    public var exists: Bool
    public var authenticators: [Authenticator]

    public init(exists: Bool, authenticators: [Authenticator]) {
        self.exists = exists
        self.authenticators = authenticators
    }

    public var hasPhishingResistantFactor: Bool {
        authenticators.contains { $0.usable && $0.kind.isPhishingResistant }
    }

    public var hasUsableFactor: Bool { authenticators.contains { $0.usable } }
}

/// Why a connector call failed. The message names the system and the call, never a secret.
public struct MFAFailure: Error, Sendable, CustomStringConvertible, Equatable {
    public let connector: String
    public let message: String

    public init(connector: String, message: String) {
        self.connector = connector
        self.message = message
    }

    public var description: String { "\(connector): \(message)" }
}

/// What a leaver's authenticators become: revoked for good, deleted, or (privacyIDEA, for
/// hardware tokens a site hands out again) unassigned: the token stays, without its owner.
public enum LeaverAuthenticatorPolicy: String, Sendable, Codable {
    case revoke
    case delete
    case unassign
}

/// Whether a person signed in with MFA since a re-verification was demanded, as one
/// connector can tell from its own log.
public enum MFAVerification: Sendable, Equatable {
    /// A successful MFA verification at or after the demand; `evidence` says which (a date,
    /// a serial, an event id) for the audit record.
    case verified(evidence: String)
    /// The log was read and holds no successful MFA verification since the demand.
    case notSince
    /// The connector has no documented source to tell: never taken for "no", nor for "yes".
    case unknown(String)
}

/// What the planner needs to know about a connector without talking to it.
public struct MFAConnectorTraits: Sendable, Equatable {
    public let name: String
    /// It can end a user's sign-in sessions (Okta, Entra); privacyIDEA and Duo's Admin API cannot.
    public let revokesSessions: Bool
    /// It can create the user for a joiner (an editable resolver, an exec program).
    public let ensuresUsers: Bool
    public let leaverPolicy: LeaverAuthenticatorPolicy
    /// It lists every owner's usable authenticators in a few paged calls
    /// (`usableAuthenticatorsByOwner`), so each run can check every disabled account.
    public let listsInBulk: Bool
    /// It keeps failed-attempt counters that lock an authenticator, and can reset them
    /// (`resetFailCounters`): privacyIDEA.
    public let resetsFailCounters: Bool

    public init(name: String, revokesSessions: Bool, ensuresUsers: Bool,
                leaverPolicy: LeaverAuthenticatorPolicy, listsInBulk: Bool = false,
                resetsFailCounters: Bool = false) {
        self.name = name
        self.revokesSessions = revokesSessions
        self.ensuresUsers = ensuresUsers
        self.leaverPolicy = leaverPolicy
        self.listsInBulk = listsInBulk
        self.resetsFailCounters = resetsFailCounters
    }
}

/// The owner of authenticators in a bulk listing, by the one key the connector knows them by.
/// Values are kept lower-cased (DNs normalized), so that they compare as the directory does.
public enum MFAOwner: Sendable, Hashable {
    case login(String)
    case employeeID(String)
    case dn(String)

    public static func login(of value: String) -> MFAOwner { .login(value.lowercased()) }

    public static func employeeID(of value: String) -> MFAOwner { .employeeID(Person.key(value)) }

    /// nil for a value that is not a DN: it can belong to no account.
    public static func dn(of value: String) -> MFAOwner? {
        (try? DistinguishedName(parsing: value)).map { .dn($0.normalized) }
    }
}

/// One action on one user in one connector.
public enum MFAAction: Sendable, Equatable {
    /// Every authenticator that is not revoked yet is revoked (or deleted, with `delete`).
    /// The connector lists the user's authenticators again first, so that one registered
    /// between plan and apply is caught too.
    case revokeAuthenticators(delete: Bool)
    /// Every authenticator, revoked or not, loses its owner; listed again first, as above.
    case unassignAuthenticators
    case revokeSessions
    case ensureUser(givenName: String, surname: String)
}

/// The seam between the core and an MFA system (privacyIDEA, Duo, Okta, Entra, a site's
/// program). One connector object per configured system; a run may have several.
public protocol MFAConnector: AnyObject {
    var traits: MFAConnectorTraits { get }

    /// Looks every subject up. A failure for one subject (or all of them, when the system
    /// does not answer) is a failure, never an empty list of authenticators.
    func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>]

    /// Carries out one action and returns the user's authenticators afterwards, for the
    /// audit record (nil where the action does not touch them).
    func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]?

    /// Every owner's usable authenticators, from a paged listing of the whole system, for a
    /// connector whose traits say `listsInBulk`. Unowned authenticators are left out; a
    /// failure on any page fails the whole listing.
    func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]]

    /// Resets the failed-attempt counters of the user's usable authenticators (never
    /// re-enables or un-revokes one), for a connector whose traits say `resetsFailCounters`;
    /// returns those it reset.
    func resetFailCounters(for subject: MFASubject) throws(MFAFailure) -> [Authenticator]

    /// Whether the subject completed an MFA verification at or after `since`, read from the
    /// system's authentication log. A failure to read that log throws; a connector without a
    /// documented log answers `.unknown`.
    func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification
}

extension MFAConnector {
    public func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]] {
        throw MFAFailure(connector: traits.name, message: "this connector does not list in bulk")
    }

    public func resetFailCounters(for subject: MFASubject) throws(MFAFailure) -> [Authenticator] {
        throw MFAFailure(connector: traits.name, message: "this connector keeps no failure counters")
    }

    public func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        .unknown("\(traits.name) has no documented log of MFA verifications that idsync reads")
    }
}

/// A person whose re-verification is pending, and since when a sign-in counts.
public struct MFAReverification: Sendable, Hashable {
    public let subject: MFASubject
    public let since: Date

    public init(subject: MFASubject, since: Date) {
        self.subject = subject
        self.since = since
    }
}

/// What one connector's log said of each pending re-verification.
public typealias MFAVerificationResults = [MFAReverification: Result<MFAVerification, MFAFailure>]

/// What every connector said about the subjects of one run, by connector name in config order.
public struct MFAObservations: Sendable {
    public var connectors: [MFAConnectorTraits]
    public var results: [String: [MFASubject: Result<MFAUserState, MFAFailure>]]
    /// The bulk listing of each connector that lists in bulk, by connector name.
    public var owners: [String: Result<[MFAOwner: [Authenticator]], MFAFailure>]
    /// What each connector's log says of each pending re-verification, by connector name.
    public var verifications: [String: MFAVerificationResults]

    public init(connectors: [MFAConnectorTraits] = [],
                results: [String: [MFASubject: Result<MFAUserState, MFAFailure>]] = [:],
                owners: [String: Result<[MFAOwner: [Authenticator]], MFAFailure>] = [:],
                verifications: [String: MFAVerificationResults] = [:]) {
        self.connectors = connectors
        self.results = results
        self.owners = owners
        self.verifications = verifications
    }

    public func verification(_ connector: String, _ pending: MFAReverification)
        -> Result<MFAVerification, MFAFailure> {
        verifications[connector]?[pending]
            ?? .failure(MFAFailure(connector: connector, message: "the log was not read"))
    }

    public func lookup(_ connector: String, _ subject: MFASubject) -> Result<MFAUserState, MFAFailure> {
        results[connector]?[subject]
            ?? .failure(MFAFailure(connector: connector, message: "the user was not looked up"))
    }

    /// Asks each connector about the subjects, and each that lists in bulk for every owner's
    /// usable authenticators. Several connectors could be asked at once; one after the other
    /// keeps each connector's client on one thread.
    public static func observe(_ connectors: [MFAConnector], subjects: [MFASubject],
                               reverifications: [MFAReverification] = []) -> MFAObservations {
        var observations = MFAObservations(connectors: connectors.map(\.traits))
        for connector in connectors {
            let name = connector.traits.name
            observations.results[name] = subjects.isEmpty ? [:] : connector.observe(subjects)
            observations.verifications[name] = verifications(connector, reverifications)
            guard connector.traits.listsInBulk else { continue }
            observations.owners[name] = Result { () throws(MFAFailure) in
                try connector.usableAuthenticatorsByOwner()
            }
        }
        return observations
    }

    /// One log query per pending re-verification, and so per mover waiting, not per account.
    private static func verifications(_ connector: MFAConnector, _ pending: [MFAReverification])
        -> MFAVerificationResults {
        var found: MFAVerificationResults = [:]
        for entry in pending {
            found[entry] = Result { () throws(MFAFailure) in
                try connector.latestVerification(of: entry.subject, since: entry.since)
            }
        }
        return found
    }
}

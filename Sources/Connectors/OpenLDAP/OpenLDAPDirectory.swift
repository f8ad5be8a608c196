import Foundation
import IdentitySync
import LDAP

/// The OpenLDAP flavour: disable is the permanent ppolicy lock, state lives in one
/// attribute, and group membership is `member` of groupOfNames.
public final class OpenLDAPDirectory: DirectoryConnector {
    /// The permanent administrative lock value; slapd honours it only under a policy
    /// with `pwdLockout: TRUE`, which `confirmDisableTakesEffect` checks.
    static let permanentLock = "000001010000Z"
    static let lockAttribute = "pwdAccountLockedTime"

    let connection: LDAPConnection
    let config: DirectoryConfig
    let mappedAttributes: [String]
    /// Groups whose members the plan needs: the managed ones and the protected ones.
    let watchedGroups: Set<DistinguishedName>
    /// The placement rules' containers, each read once a run to learn whether it exists.
    let placementContainers: Set<DistinguishedName>
    let protectedAttribute: String?
    /// The credential attributes a disable takes away (`disable.credentials`).
    let credentials: CredentialPolicy
    var policies: Set<String> = []
    /// Where group members held under an option are, as the last read found them.
    var taggedMembers = TaggedMembers()

    public var identity: String { config.bindDN }

    public init(connection: LDAPConnection, config: Config) {
        self.connection = connection
        self.config = config.directory
        self.mappedAttributes = config.mapping.attributes.map { $0.name.lowercased() }
            + [config.mapping.loginAttribute.lowercased()]
        var groups = Set(config.roles.managedGroups.map(config.groupDN))
        for flag in [config.policy.enrollmentGroup, config.policy.reverificationGroup].compactMap({ $0 }) {
            groups.insert(config.groupDN(flag))
        }
        self.watchedGroups = groups.union(config.protected.groups)
        self.placementContainers = Set(config.mapping.placement.map(\.container))
        self.protectedAttribute = config.protected.attribute?.lowercased()
        self.credentials = config.credentials
    }

    /// Unbinds and closes the connection; the connector is unusable afterwards.
    public func close() {
        connection.close()
    }

    // MARK: Observe

    var requestedAttributes: [String] {
        var names = Set(mappedAttributes)
        names.formUnion(["uid", "mail", "employeenumber", "objectclass", "member", "pwdpolicysubentry",
                         OpenLDAPDirectory.lockAttribute.lowercased(), config.stateAttribute.lowercased()])
        if let protectedAttribute { names.insert(protectedAttribute) }
        return names.sorted()
    }

    /// One paged search of the naming context: accounts under the people subtree, the
    /// watched groups, and every uid and mail in use. Any result but success throws.
    /// `employeeNumber=*` brings entries with an employee id but no login too: idsync cannot
    /// manage them, and the plan names them (an account has a uid, so none comes twice).
    public func observe() throws -> ObservedDirectory {
        var builder = ObservationBuilder(directory: self)
        var observed: ObservedDirectory
        do {
            builder.credentials = try observeCredentials()
            try connection.searchEncoded(
                base: config.base.string, scope: .subtree,
                filter: "(|(uid=*)(mail=*)(employeeNumber=*)(objectClass=groupOfNames))",
                attributes: requestedAttributes, pageSize: config.pageSize
            ) { entry in
                try builder.add(entry)
            }
            observed = builder.finish()
            observed.occupiedGroupDNs = try entriesHolding(
                watchedGroups.subtracting(observed.groups.keys))
            observed.missingContainers = try containersMissing()
        } catch let error as LDAPError {
            throw ObserveError(identity: config.bindDN, base: config.base.string, error: error)
        }
        policies = builder.policies
        taggedMembers = builder.taggedMembers
        return observed
    }

    /// The watched group DNs that the search found no group at, where an entry of another
    /// kind is (an organizationalRole, say), with its object classes. Each is read alone:
    /// the groups exist on most nights, and then nothing is read.
    private func entriesHolding(_ missingGroups: Set<DistinguishedName>) throws
        -> [DistinguishedName: [String]] {
        var held: [DistinguishedName: [String]] = [:]
        for group in missingGroups {
            guard let entry = try connection.read(dn: group.string, attributes: ["objectClass"])
            else { continue }
            held[group] = entry.values("objectClass")
        }
        return held
    }

    /// The placement containers no entry is at: an add or a move into one fails with 32
    /// noSuchObject. A base-scope read of each, a few reads a run whatever the size.
    private func containersMissing() throws -> Set<DistinguishedName> {
        try placementContainers.filter { container in
            try connection.read(dn: container.string, attributes: ["objectClass"]) == nil
        }
    }

    public func lockValues(_ lock: AccountLock) -> (attribute: String, values: [String]) {
        switch lock {
        case .none: (OpenLDAPDirectory.lockAttribute, [])
        case .administrative: (OpenLDAPDirectory.lockAttribute, [OpenLDAPDirectory.permanentLock])
        case .other(let value): (OpenLDAPDirectory.lockAttribute, [value])
        }
    }

    // MARK: Checks before writing

    /// Reads the configured ppolicy entry (and any other policy an account names) and
    /// requires `pwdLockout: TRUE`; without it a lock would be silently ignored.
    public func confirmDisableTakesEffect() throws {
        guard let policy = config.passwordPolicy else {
            throw DisableCheckError(text: "directory.password_policy is not set, so idsync cannot confirm that "
                                    + "a ppolicy lock stops binds; see README, 'Disabling in OpenLDAP'")
        }
        for dn in Set([policy.string]).union(policies) {
            let entry = try connection.read(dn: dn, attributes: ["pwdLockout"])
            guard let entry else {
                throw DisableCheckError(text: "the password policy \(dn) does not exist or \(identity) cannot read it")
            }
            guard entry.first("pwdLockout")?.uppercased() == "TRUE" else {
                throw DisableCheckError(text: "the password policy \(dn) lacks pwdLockout: TRUE, so slapd would "
                                        + "ignore idsync's lock and a disabled account could still bind")
            }
        }
    }

    public func confirmReferentialIntegrity() throws {
        try ReferentialIntegrityProbe(connection: connection, config: config).run()
    }

    // MARK: Writes

    public func write(_ operations: [DirectoryOperation], ready: (Int) -> Bool,
                      completion: (Int, Result<Void, DirectoryFailure>) -> Void) throws {
        let requests = operations.map(translated)
        var lockAfterCreate: [Int] = []
        var lockWithoutWipe: [Int: DirectoryFailure] = [:]
        try send(requests.map(\.request), ready: ready) { index, result in
            if case .success = result, requests[index].lockAfter { lockAfterCreate.append(index) }
            else if let failure = OpenLDAPDirectory.failedWipe(operations[index], result) {
                lockWithoutWipe[index] = failure
            } else { completion(index, OpenLDAPDirectory.settled(operations[index], result)) }
        }
        // slapd may run requests of one connection in any order, so the lock of an entry
        // created disabled goes in a second round, once the add has succeeded. So does the
        // lock of a leaver whose credentials could not be taken: the lock must not wait on them.
        let second = lockAfterCreate + lockWithoutWipe.keys.sorted()
        guard !second.isEmpty else { return }
        let locks = second.map { LDAPRequest.modify(dn: requests[$0].request.dn, modifications: [
            Modification(.replace, OpenLDAPDirectory.lockAttribute, [OpenLDAPDirectory.permanentLock])]) }
        try send(locks) { index, result in
            let original = second[index]
            completion(original, OpenLDAPDirectory.lockedWithoutWipe(lockWithoutWipe[original], result))
        }
    }

    private func send(_ requests: [LDAPRequest], ready: (Int) -> Bool = { _ in true },
                      _ completion: (Int, Result<Void, DirectoryFailure>) -> Void) throws {
        do {
            try connection.perform(requests, window: config.writeWindow, ready: ready) {
                index, result in
                completion(index, result.mapError(OpenLDAPDirectory.failure))
            }
        } catch let error as LDAPError {
            throw ConnectionLost(error: error)
        }
    }

    /// A membership change of one value that finds the value already there (20
    /// attributeOrValueExists) or already gone (16 noSuchAttribute) reached its aim; a batch
    /// that fails so is retried value by value by the executor and lands here.
    static func settled(_ operation: DirectoryOperation,
                        _ result: Result<Void, DirectoryFailure>) -> Result<Void, DirectoryFailure> {
        guard case .failure(let failure) = result,
              case .groupMembers(_, let add, let remove) = operation, add.count + remove.count == 1 else {
            return result
        }
        let reached = (failure.code == 20 && add.count == 1) || (failure.code == 16 && remove.count == 1)
        return reached ? .success(()) : result
    }

    static func failure(_ error: LDAPError) -> DirectoryFailure {
        // -1 server down, -5 timeout, -11 connect error: the reply never came.
        DirectoryFailure(code: error.code, message: error.message, transient: error.isTransient,
                         outcomeUnknown: [-1, -5, -11].contains(error.code))
    }
}

/// The read of the directory failed; the run must stop before planning.
public struct ObserveError: Error, CustomStringConvertible {
    public let identity: String
    public let base: String
    public let error: LDAPError

    public var description: String {
        var text = "reading \(base) as \(identity) failed: \(error)"
        if error.isSizeLimitExceeded {
            text += "; the server's size limit for this identity is below the directory's size. Grant it, e.g. "
                + "olcLimits: dn.exact=\"\(identity)\" size.prtotal=unlimited"
        } else if error.isTimeLimitExceeded {
            text += "; the server's time limit for this identity ran out. Raise it (olcLimits time=...)"
        }
        return text + ". Nothing was planned or written."
    }
}

public struct DisableCheckError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "cannot confirm that a disable takes effect: \(text)" }
}

public struct ConnectionLost: Error, CustomStringConvertible {
    public let error: LDAPError
    public var description: String { "the directory connection was lost: \(error)" }
}

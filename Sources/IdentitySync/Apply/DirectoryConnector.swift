import Foundation

/// One write the executor asks a directory connector for. Flavour details (how a lock is
/// written, which attribute holds idsync's state) stay in the connector.
public enum DirectoryOperation: Sendable {
    public enum Lock: Sendable { case lock, unlock }

    case create(dn: String, attributes: [AttributeEdit], state: String, locked: Bool)
    /// `wipe` names credential attributes to take away in the same modify (see `Change.wipe`).
    case update(dn: String, attributes: [AttributeEdit], state: String?, lock: Lock?, wipe: [String] = [])
    case rename(dn: String, newDN: String)
    case createGroup(dn: String, members: [String])
    case groupMembers(group: String, add: [String], remove: [String])
}

/// Why one write failed, with the directory's own result code and text.
public struct DirectoryFailure: Error, Sendable, CustomStringConvertible, Codable {
    public let code: Int32
    public let message: String
    public let transient: Bool
    /// The request may or may not have taken effect: it was sent and its reply never came.
    public let outcomeUnknown: Bool

    public init(code: Int32, message: String, transient: Bool = false, outcomeUnknown: Bool = false) {
        self.code = code
        self.message = message
        self.transient = transient
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String { "\(code) \(message)" }
}

/// The seam between the core and a directory flavour (OpenLDAP now; 389-DS and AD later).
public protocol DirectoryConnector: AnyObject {
    /// The bind identity, for audit records.
    var identity: String { get }

    /// Reads the people subtree, the managed and protected groups, and the names in use.
    /// Throws when the read is not complete: a partial read must never be planned on.
    func observe() throws -> ObservedDirectory

    /// Confirms that a disabled account can no longer bind; throws the reason when it cannot.
    func confirmDisableTakesEffect() throws

    /// Confirms that renames carry group memberships along (referential integrity).
    func confirmReferentialIntegrity() throws

    /// The lock as the entry holds it, by the flavour's attribute name
    /// (`pwdAccountLockedTime`), for the audit records of a disable or an enable; no lock is
    /// an empty list.
    func lockValues(_ lock: AccountLock) -> (attribute: String, values: [String])

    /// Reads the idsync state of the entry at `dn` now, one cheap read: the executor's last
    /// look before an enable or a grant. Nil when the entry is gone or carries no state;
    /// throws when the read fails.
    func currentState(of dn: String) throws -> AccountState?

    /// Sends the writes, many in flight, and reports each outcome by index as it arrives.
    /// `ready(index)` is asked just before operation `index` goes out, in order; when it
    /// returns false nothing more is sent and only the outcomes already due are reported.
    func write(_ operations: [DirectoryOperation], ready: (Int) -> Bool,
               completion: (Int, Result<Void, DirectoryFailure>) -> Void) throws
}

extension DirectoryConnector {
    /// Sends every operation.
    public func write(_ operations: [DirectoryOperation],
                      completion: (Int, Result<Void, DirectoryFailure>) -> Void) throws {
        try write(operations, ready: { _ in true }, completion: completion)
    }
}

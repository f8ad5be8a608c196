import Foundation

@testable import IdentitySync

/// A directory in memory behind the connector protocol. It records every operation in the
/// order it was sent, answers like LDAP would (adding a member twice or removing a
/// non-member fails the whole modify), and fails the operations a test chooses.
final class FakeDirectory: DirectoryConnector {
    let identity = "cn=idsync,dc=example,dc=org"
    var accounts: [DistinguishedName: ObservedAccount] = [:]
    var groups: [DistinguishedName: Set<DistinguishedName>] = [:]
    var otherNames: Set<String> = []
    /// Every operation sent, in order, one inner array per `write` call.
    private(set) var batches: [[DirectoryOperation]] = []
    /// Return a failure to fail an operation instead of applying it.
    var fail: (DirectoryOperation) -> DirectoryFailure? = { _ in nil }
    /// Return true to lose the connection while this operation is in flight: its outcome is
    /// unknown, nothing after it is sent, and every operation from it on is reported failed
    /// (as libldap's pipeline does).
    var dropConnection: (DirectoryOperation) -> Bool = { _ in false }
    var disableProblem: String?
    var referentialIntegrityProblem: String?
    /// Called with each operation, once the executor said it is ready to go and just before
    /// it is applied, e.g. to look at the audit log.
    var beforeWrite: (DirectoryOperation) -> Void = { _ in }

    init(_ observed: ObservedDirectory) {
        for account in observed.accounts { accounts[account.dn] = account }
        for (dn, group) in observed.groups {
            groups[dn] = Set(group.members.compactMap { try? DistinguishedName(parsing: $0) })
        }
        otherNames = observed.namesInUse.all
    }

    var operations: [DirectoryOperation] { batches.flatMap { $0 } }

    func observe() throws -> ObservedDirectory {
        let list = accounts.values.sorted { $0.dn.normalized < $1.dn.normalized }
        var taken = otherNames
        for account in list {
            for value in (account.attributes["uid"] ?? []) + (account.attributes["mail"] ?? []) {
                taken.insert(value.lowercased())
            }
        }
        var observed: [DistinguishedName: ObservedGroup] = [:]
        for (dn, members) in groups { observed[dn] = ObservedGroup(dn: dn, members: Set(members.map(\.normalized))) }
        return ObservedDirectory(accounts: list, groups: observed, takenNames: taken, fingerprint: "fake")
    }

    func confirmDisableTakesEffect() throws {
        if let disableProblem { throw DirectoryFailure(code: 53, message: disableProblem) }
    }

    func lockValues(_ lock: AccountLock) -> (attribute: String, values: [String]) {
        switch lock {
        case .none: return ("lock", [])
        case .administrative: return ("lock", ["permanent"])
        case .other(let value): return ("lock", [value])
        }
    }

    func currentState(of dn: String) throws -> AccountState? {
        guard let dn = try? DistinguishedName(parsing: dn) else { return nil }
        return accounts[dn]?.state
    }

    func confirmReferentialIntegrity() throws {
        if let referentialIntegrityProblem { throw DirectoryFailure(code: 53, message: referentialIntegrityProblem) }
    }

    func write(_ operations: [DirectoryOperation], ready: (Int) -> Bool,
               completion: (Int, Result<Void, DirectoryFailure>) -> Void) throws {
        batches.append([])
        for (index, operation) in operations.enumerated() {
            guard ready(index) else { return }
            beforeWrite(operation)
            batches[batches.count - 1].append(operation)
            if dropConnection(operation) {
                let lost = DirectoryFailure(code: -1, message: "can't contact LDAP server", outcomeUnknown: true)
                for rest in index..<operations.count { completion(rest, .failure(lost)) }
                throw lost
            }
            if let failure = fail(operation) {
                completion(index, .failure(failure))
                continue
            }
            do {
                try apply(operation)
                completion(index, .success(()))
            } catch let failure as DirectoryFailure {
                completion(index, .failure(failure))
            }
        }
    }

    func members(of group: String) -> Set<DistinguishedName> {
        groups[Fixtures.groupDN(group)] ?? []
    }

    func account(_ login: String, in container: DistinguishedName = Fixtures.people) -> ObservedAccount? {
        accounts[Fixtures.personDN(login, in: container)]
    }

    // MARK: Applying

    private func apply(_ operation: DirectoryOperation) throws {
        switch operation {
        case .create(let dn, let attributes, let state, let locked):
            try create(dn, attributes, state: state, locked: locked)
        case .update(let dn, let attributes, let state, let lock, _):
            try update(dn, attributes, state: state, lock: lock)
        case .rename(let dn, let newDN):
            try rename(Fixtures.dn(dn), to: Fixtures.dn(newDN))
        case .createGroup(let dn, let members):
            let group = Fixtures.dn(dn)
            guard groups[group] == nil else { throw DirectoryFailure(code: 68, message: "entry already exists") }
            groups[group] = Set(members.map(Fixtures.dn))
        case .groupMembers(let group, let add, let remove):
            try modifyMembers(Fixtures.dn(group), add: add.map(Fixtures.dn), remove: remove.map(Fixtures.dn))
        }
    }

    private func create(_ text: String, _ edits: [AttributeEdit], state: String, locked: Bool) throws {
        let dn = Fixtures.dn(text)
        guard accounts[dn] == nil else { throw DirectoryFailure(code: 68, message: "entry already exists") }
        var attributes: [String: [String]] = [:]
        for edit in edits where !edit.after.isEmpty { attributes[edit.name.lowercased()] = edit.after }
        let login = dn.rdns[0][0].value
        attributes["uid"] = attributes["uid"] ?? [login]
        accounts[dn] = ObservedAccount(dn: dn, login: login, employeeID: attributes["employeenumber"]?.first,
                                       attributes: AttributeMap(attributes), lock: locked ? .administrative : .none,
                                       state: AccountState(stored: state))
    }

    private func update(_ text: String, _ edits: [AttributeEdit], state: String?,
                        lock: DirectoryOperation.Lock?) throws {
        let dn = Fixtures.dn(text)
        guard var account = accounts[dn] else { throw DirectoryFailure(code: 32, message: "no such object") }
        for edit in edits { account.attributes[edit.name.lowercased()] = edit.after.isEmpty ? nil : edit.after }
        if let state { account.state = AccountState(stored: state) }
        account.employeeID = account.attributes["employeenumber"]?.first
        switch lock {
        case .lock?: account.lock = .administrative
        case .unlock?: account.lock = .none
        case nil: break
        }
        accounts[dn] = account
    }

    private func rename(_ dn: DistinguishedName, to newDN: DistinguishedName) throws {
        guard var account = accounts.removeValue(forKey: dn) else {
            throw DirectoryFailure(code: 32, message: "no such object")
        }
        account.dn = newDN
        accounts[newDN] = account
        for (group, members) in groups where members.contains(dn) {
            groups[group] = members.subtracting([dn]).union([newDN])
        }
    }

    private func modifyMembers(_ group: DistinguishedName, add: [DistinguishedName],
                               remove: [DistinguishedName]) throws {
        guard var members = groups[group] else { throw DirectoryFailure(code: 32, message: "no such object") }
        for dn in add {
            guard !members.contains(dn) else { throw DirectoryFailure(code: 20, message: "value exists: \(dn)") }
            members.insert(dn)
        }
        for dn in remove {
            guard members.contains(dn) else { throw DirectoryFailure(code: 16, message: "no such value: \(dn)") }
            members.remove(dn)
        }
        guard !members.isEmpty else { throw DirectoryFailure(code: 65, message: "groupOfNames needs a member") }
        groups[group] = members
    }
}

extension DirectoryOperation {
    /// A short form for comparing orders: `lock uid=...`, `members cn=all-staff +2 -0`.
    var summary: String {
        switch self {
        case .create(let dn, _, _, let locked): return (locked ? "create-locked " : "create ") + dn
        case .update(let dn, _, _, let lock, _):
            switch lock {
            case .lock?: return "lock \(dn)"
            case .unlock?: return "unlock \(dn)"
            case nil: return "update \(dn)"
            }
        case .rename(let dn, let newDN): return "rename \(dn) -> \(newDN)"
        case .createGroup(let dn, _): return "create-group \(dn)"
        case .groupMembers(let group, let add, let remove): return "members \(group) +\(add.count) -\(remove.count)"
        }
    }
}

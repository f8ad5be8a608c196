import Foundation
import YAML

extension ConfigLoader {
    /// The `exceptions:` section and the file it names. Every entry is checked here, so a
    /// bad file stops the run before anything is read from the directory.
    static func loadExceptions(
        _ node: YAMLReader?, folder: String, roles: RoleRules
    ) throws -> ExceptionPolicy {
        var policy = ExceptionPolicy()
        guard let node else { return policy }
        try node.rejectUnknownKeys(allowed: ConfigKeys.exceptions)
        if let days = try node.optional("max_days") {
            guard try days.int() >= 1 else { throw days.error("must be 1 or more days") }
            policy.maxDays = try days.int()
        }
        if let privileged = try node.optional("privileged") {
            policy.privileged = try choice(
                privileged, ExceptionPolicy.Privileged.init(rawValue:), "refuse, hold")
        }
        let path = resolve(try node.string("path"), in: folder)
        policy.path = path
        policy.entries = try loadExceptionEntries(path, managed: roles.managedGroups)
        return policy
    }

    /// `exceptions: [{employee_id, group, until, approved_by, why}, ...]`.
    static func loadExceptionEntries(
        _ path: String, managed: Set<String>
    ) throws -> [AccessException] {
        let root = try reader(path)
        try root.rejectUnknownKeys(allowed: ConfigKeys.exceptionsFile)
        var entries: [AccessException] = []
        var seen: [String: String] = [:]
        for item in try root.optional("exceptions")?.elements() ?? [] {
            let entry = try exceptionEntry(item, path: path, managed: managed)
            let key = Person.key(entry.employeeID) + "\u{0}" + entry.group
            if let earlier = seen[key] {
                throw item.error(
                    "grants \(entry.group) to \(entry.employeeID) a second time (first at "
                        + "\(earlier)); keep one entry per person and group")
            }
            seen[key] = entry.source
            entries.append(entry)
        }
        return entries
    }

    private static func exceptionEntry(
        _ item: YAMLReader, path: String, managed: Set<String>
    ) throws
        -> AccessException
    {
        try item.rejectUnknownKeys(allowed: ConfigKeys.exception)
        let group = try item.require("group")
        let name = try group.string()
        guard managed.contains(name) else {
            throw group.error(
                "names '\(name)', which no role rule grants; an exception may grant only a "
                    + "managed group: " + managed.sorted().joined(separator: ", "))
        }
        let untilNode = try item.require("until")
        guard let until = LocalDate(iso: try untilNode.string()) else {
            throw untilNode.error(
                "must be a date such as 2026-12-31, in the years \(LocalDate.yearsText), "
                    + "found '\(try untilNode.string())'")
        }
        return AccessException(
            employeeID: try nonEmpty(item, "employee_id"), group: name, until: until,
            approvedBy: try nonEmpty(item, "approved_by"), why: try nonEmpty(item, "why"),
            source: "\(path):\(item.node.mark.line)")
    }

    private static func nonEmpty(_ item: YAMLReader, _ key: String) throws -> String {
        let node = try item.require(key)
        let text = try node.string().trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw node.error("must not be empty") }
        return text
    }

    /// `disable: {credentials: [...]}`: the OpenLDAP defaults and any attribute listed.
    static func loadCredentials(_ node: YAMLReader?) throws -> CredentialPolicy {
        guard let node else { return CredentialPolicy() }
        try node.rejectUnknownKeys(allowed: ConfigKeys.disable)
        guard let list = try node.optionalList("credentials") else { return CredentialPolicy() }
        // `[]` read as the defaults (the list adds to them) while its writer meant none.
        guard !list.elements().isEmpty else {
            throw list.error("is an empty list; write [defaults] to wipe the usual credentials, "
                             + "or delete 'disable' to lock only")
        }

        var names = CredentialPolicy.openLDAPDefaults
        for item in list.elements() {
            let name = try item.string()
            guard name != "defaults" else { continue }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
                name.first?.isLetter == true
            else {
                throw item.error(
                    "must be an attribute type name such as sshPublicKey, found '\(name)'")
            }
            if !names.contains(where: { $0.lowercased() == name.lowercased() }) {
                names.append(name)
            }
        }
        return CredentialPolicy(attributes: names)
    }
}

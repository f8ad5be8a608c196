import Foundation
import YAML

extension ConfigLoader {
    /// An HR layout: column names, the date format, and what status values mean.
    static func loadLayout(_ path: String) throws -> FeedLayout {
        let root = try reader(path)
        try root.rejectUnknownKeys(allowed: ConfigKeys.layout)
        let formatNode = try root.require("date_format")
        let dateLayout: DateLayout
        do {
            dateLayout = try DateLayout(formatNode.string())
        } catch {
            throw formatNode.error("\(error)")
        }
        var columns: [HRField: String] = [:]
        let columnsNode = try root.require("columns")
        try columnsNode.rejectUnknownKeys(allowed: Set(HRField.allCases.map(\.rawValue)))
        for (key, value) in try columnsNode.entries() {
            columns[HRField(rawValue: key)!] = try value.string()
        }
        var statuses: [String: EmploymentStatus] = [:]
        let statusNode = try root.require("status")
        try statusNode.rejectUnknownKeys(allowed: ConfigKeys.status)
        for (key, value) in try statusNode.entries() {
            for text in try value.stringList() { statuses[text.lowercased()] = EmploymentStatus(rawValue: key)! }
        }
        let delimiter = try root.optional("delimiter")?.string() ?? ","
        guard delimiter.unicodeScalars.count == 1, let scalar = delimiter.unicodeScalars.first else {
            throw try root.require("delimiter").error("must be one character")
        }
        let contractors = try root.optional("contractor_types")?.stringList() ?? []
        var layout = FeedLayout(name: try root.optional("name")?.string() ?? path, delimiter: scalar,
                                dateLayout: dateLayout, columns: columns, statusValues: statuses,
                                contractorTypes: Set(contractors.map { $0.lowercased() }))
        layout.exportStamp = try root.optionalMapping("export_stamp").map(loadExportStamp)
        layout.optionalFields = try root.optional("optional_columns").map(loadOptionalFields) ?? []
        return layout
    }

    /// `optional_columns: [work_email]`: idsync's field names, never one no person can be
    /// built without.
    static func loadOptionalFields(_ node: YAMLReader) throws -> Set<HRField> {
        var fields: Set<HRField> = []
        for name in try node.stringList() {
            guard let field = HRField(rawValue: name) else {
                let known = HRField.allCases.map(\.rawValue).joined(separator: ", ")
                throw node.error("'\(name)' is not an HR field; the fields are \(known)")
            }
            guard !CSVFeed.required.contains(field) else {
                throw node.error("'\(name)' cannot be optional: no person can be built without it")
            }
            fields.insert(field)
        }
        return fields
    }

    /// Attribute templates, the login name, and placement rules. With `people`, every
    /// placement container must lie at or under it.
    static func loadMapping(_ path: String, people: DistinguishedName? = nil) throws
        -> AccountMapping {
        let root = try reader(path)
        try root.rejectUnknownKeys(allowed: ConfigKeys.mapping)
        var mapping = AccountMapping(attributes: [])
        if let login = try root.optionalMapping("login") {
            try login.rejectUnknownKeys(allowed: ConfigKeys.login)
            mapping.loginTemplate = try login.optional("template")?.string() ?? mapping.loginTemplate
            if let length = try login.optional("max_length") {
                // Namesakes are told apart by a number after the name; below 6 the number
                // leaves no room for the name, and the logins come out as bare numbers.
                mapping.loginMaxLength = try length.int()
                guard mapping.loginMaxLength >= 6 else {
                    throw length.error("must be 6 or more, found \(mapping.loginMaxLength): a "
                        + "login made unique by a number (jsmith2, jsmith105) needs room for "
                        + "the name and the number")
                }
            }
            mapping.loginAttribute = try login.optional("attribute")?.string() ?? mapping.loginAttribute
            let policy = LoginNamePolicy(template: mapping.loginTemplate, maxLength: mapping.loginMaxLength)
            do { try policy.validate() } catch { throw (try login.optional("template") ?? login).error("\(error)") }
        }
        for (name, value) in try root.require("attributes").entries() {
            let template: Template
            do {
                template = try Template(value.string())
            } catch let error as TemplateError {
                throw value.error("\(error)")
            }
            try checkAttributeName(name, template, at: value)
            mapping.attributes.append((name, template))
        }
        for rule in try root.optional("placement")?.elements() ?? [] {
            try rule.rejectUnknownKeys(allowed: ConfigKeys.placement)
            mapping.placement.append(PlacementRule(
                name: try rule.string("name"), match: try match(rule.optionalMapping("match")),
                container: try container(rule.require("container"), people: people)))
        }
        return mapping
    }

    /// A placement container. idsync claims accounts only under `directory.people`: one
    /// moved outside it is no longer seen as managed, and every later run would create the
    /// person a new account (plee, plee3, ...). Where the ACL refuses the move instead, the
    /// managers' links were still rewritten to the DNs the moves would have given.
    static func container(_ node: YAMLReader, people: DistinguishedName?) throws
        -> DistinguishedName {
        let value = try dn(node)
        guard let people, value != people, !value.isDescendant(of: people) else { return value }
        throw node.error("is \(value), which lies outside directory.people (\(people)): idsync "
            + "manages accounts only under people; name a container at or under \(people)")
    }

    /// The names idsync compares and keeps unique are written plainly: an option (`;lang-en`)
    /// or another name for `mail` would slip past the checks below and the planner's search
    /// for a free address.
    static func checkAttributeName(_ name: String, _ template: Template,
                                   at node: YAMLReader) throws {
        let lowered = name.lowercased()
        if let option = lowered.firstIndex(of: ";") {
            throw node.error("attribute options such as '\(name[option...])' are not written by "
                + "idsync: name the attribute '\(name[..<option])' without it")
        }
        if lowered == "rfc822mailbox" || lowered == "0.9.2342.19200300.100.1.3" {
            throw node.error("write '\(name)' as 'mail', the name idsync keeps addresses "
                + "unique under")
        }
        // A joiner's login is made free by a number, and the address made from that login must
        // be free too: with {first}.{last}@ the second John Smith's address never changed and
        // the search for a free login went on for ever. Only {login} also keeps the address
        // ASCII, as mail's syntax (IA5) requires: José's {first} was refused by the directory.
        if lowered == "mail", template.fields != ["login"] {
            throw node.error("mail must be made from {login} alone (e.g. {login}@hospital.org): "
                + "a login is kept unique by adding a number and the address must change with "
                + "it, and stay ASCII; '\(template.source)' does not")
        }
    }

    /// `match: {department: [ICU, Nursing]}`: every field listed must have one of its values.
    static func match(_ node: YAMLReader?) throws -> [HRField: Set<String>] {
        var match: [HRField: Set<String>] = [:]
        guard let node else { return match }
        try node.rejectUnknownKeys(allowed: Set(HRField.allCases.map(\.rawValue)))
        for (key, value) in try node.entries() {
            match[HRField(rawValue: key)!] = Set(try value.stringList().map { $0.lowercased() })
        }
        return match
    }

    /// A DN that must lie inside the naming context. In a flow list `[cn=a,ou=b]` YAML splits
    /// a DN at its commas into pieces that each parse as a DN; this check catches that.
    static func dn(_ node: YAMLReader, inside base: DistinguishedName) throws -> DistinguishedName {
        let value = try dn(node)
        guard value.isDescendant(of: base) else {
            throw node.error("must be a DN inside \(base), found '\(value)'; in a [ ] list, quote each DN")
        }
        return value
    }

    static func loadRoles(_ path: String) throws -> RoleRules {
        let root = try reader(path)
        try root.rejectUnknownKeys(allowed: ConfigKeys.roles)
        var rules: [RoleRule] = []
        for rule in try root.require("rules").elements() {
            try rule.rejectUnknownKeys(allowed: ConfigKeys.rule)
            let mfa = try rule.optional("mfa").map {
                try choice($0, MFALevel.init(rawValue:), "none, standard, phishing-resistant")
            }
            rules.append(RoleRule(
                name: try rule.string("name"), match: try match(rule.optionalMapping("match")),
                groups: try rule.optional("groups")?.stringList() ?? [], mfa: mfa ?? .standard))
        }
        let privileged = try root.optional("privileged_groups")?.stringList() ?? []
        return RoleRules(rules: rules, privilegedGroups: Set(privileged))
    }

    static func loadPolicy(_ node: YAMLReader?) throws -> LifecyclePolicy {
        var policy = LifecyclePolicy()
        guard let node else { return policy }
        try node.rejectUnknownKeys(allowed: ConfigKeys.policy)
        policy.preHireDays = try node.optional("pre_hire_days")?.int(atLeast: 0) ?? 0
        if let leave = try node.optional("leave_of_absence") {
            policy.leaveOfAbsence = try choice(leave, LifecyclePolicy.LeavePolicy.init(rawValue:), "keep, disable")
        }
        if let orphans = try node.optional("orphans") {
            policy.orphans = try choice(orphans, LifecyclePolicy.OrphanPolicy.init(rawValue:), "report, disable")
        }
        policy.enrollmentGroup = try node.optional("mfa_enrollment_group")?.string()
        policy.reverificationGroup = try node.optional("mfa_reverification_group")?.string()
        return policy
    }

    static func loadGuards(_ node: YAMLReader?) throws -> GuardConfig {
        var guards = GuardConfig()
        guard let node else { return guards }
        try node.rejectUnknownKeys(allowed: ConfigKeys.guards)
        if let shrink = try node.optional("max_feed_shrink_percent") {
            guards.maxFeedShrinkPercent = try percent(shrink)
        }
        guards.leavers = try budget(node.optionalMapping("max_leavers")) ?? guards.leavers
        guards.groupRemovals =
            try budget(node.optionalMapping("max_group_removals")) ?? guards.groupRemovals
        guards.renames = try budget(node.optionalMapping("max_renames")) ?? guards.renames
        guards.joiners = try budget(node.optionalMapping("max_joiners"))
        guards.privilegedGrants = try budget(node.optionalMapping("max_privileged_grants"))
        return guards
    }

    private static func budget(_ node: YAMLReader?) throws -> Budget? {
        guard let node else { return nil }
        try node.rejectUnknownKeys(allowed: ConfigKeys.budget)
        let count = try node.require("count")
        return Budget(count: try count.int(atLeast: 0), percent: try percent(node.require("percent")))
    }

    private static func percent(_ node: YAMLReader) throws -> Double {
        let value = try node.double()
        guard (0...100).contains(value) else { throw node.error("must be a percentage from 0 to 100, found \(value)") }
        return value
    }

    static func loadProtected(_ node: YAMLReader?, base: DistinguishedName) throws -> ProtectedAccounts {
        var protected = ProtectedAccounts()
        guard let node else { return protected }
        try node.rejectUnknownKeys(allowed: ConfigKeys.protected)
        // A list given empty is refused at its line; `[]` means none.
        let dns = try node.optionalList("dns")?.elements() ?? []
        let groups = try node.optionalList("groups")?.elements() ?? []
        protected.dns = Set(try dns.map { try dn($0, inside: base) })
        protected.groups = Set(try groups.map { try dn($0, inside: base) })
        protected.attribute = try node.optional("attribute")?.string()
        let values = try node.optionalList("values")?.stringList() ?? []
        protected.values = Set(values.map { $0.lowercased() })
        return protected
    }
}

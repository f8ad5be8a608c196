import Foundation
import YAML

extension ConfigLoader {
    /// The keys each connector type accepts. Which are paths is said here too, so that they
    /// resolve against the config's folder like every other path.
    static let mfaConnectorKeys: [String: Set<String>] = [
        "privacyidea": ["url", "admin_user", "password_file", "password_env", "realm", "resolver",
                        "user_id", "leaver_authenticators", "create_users", "ca_file", "allow_plaintext",
                        "bulk_reconciliation", "bulk_page_size"],
        "duo": ["url", "integration_key", "secret_key_file", "secret_key_env", "bulk_threshold",
                "ca_file", "allow_plaintext", "bulk_reconciliation"],
        "okta": ["url", "token_file", "token_env", "find_by", "ca_file", "allow_plaintext"],
        "graph": ["url", "token_url", "client_id", "client_secret_file", "client_secret_env", "scope",
                  "find_by", "ca_file", "allow_plaintext", "bulk_reconciliation"],
        "exec": ["program", "timeout", "revokes_sessions", "ensures_users", "leaver_authenticators",
                 "pass_env"],
    ]
    static let mfaPathKeys: Set<String> = ["password_file", "secret_key_file", "token_file",
                                           "client_secret_file", "ca_file", "program"]

    /// `secretVariables`: the environment variables the rest of the config reads secrets
    /// from, which no exec program may be given.
    static func loadMFA(_ node: YAMLReader?, folder: String,
                        secretVariables: Set<String> = []) throws -> MFAConfig {
        var config = MFAConfig()
        guard let node else { return config }
        try node.rejectUnknownKeys(allowed: ConfigKeys.mfa)
        if let grants = try node.optional("privileged_grants") {
            config.privilegedGrants = try choice(grants, MFAConfig.PrivilegedGrants.init(rawValue:), "hold, grant")
        }
        config.enrollmentDays = try node.optional("enrollment_days")?.int(atLeast: 0)
        if let lapsed = try node.optional("lapsed_enrollment") {
            config.lapsedEnrollment = try choice(lapsed, MFAConfig.LapsedEnrollment.init(rawValue:), "report, lock")
        }
        config.memberRemoval = try loadMemberRemoval(node.optionalMapping("noncompliant_members"))
        var names: Set<String> = []
        let blocks = try node.optionalList("connectors")?.elements() ?? []
        for block in blocks {
            let settings = try loadMFAConnector(block, folder: folder)
            guard names.insert(settings.name).inserted else {
                throw try block.require("name").error("names a second connector '\(settings.name)'; names are unique")
            }
            config.connectors.append(settings)
        }
        try refusePolicyWithoutConnector(node, connectors: config.connectors)
        let connectorSecrets = config.connectors.flatMap { settings in
            settings.values.filter { $0.key.hasSuffix("_env") && $0.key != "pass_env" }.map(\.value)
        }
        try refusePassingSecrets(blocks, secretVariables.union(connectorSecrets))
        return config
    }

    /// The MFA policies act on what a connector reports: without one, `hold` or a removal
    /// date was read and then silently ignored.
    private static func refusePolicyWithoutConnector(_ node: YAMLReader,
                                                     connectors: [MFAConnectorSettings]) throws {
        guard connectors.isEmpty else { return }

        let policies = ["privileged_grants", "enrollment_days", "lapsed_enrollment",
                        "noncompliant_members"]
        for key in policies {
            guard let policy = try node.optional(key) else { continue }
            throw policy.error("is an MFA policy, but 'mfa.connectors' names no connector to "
                               + "apply it with; add the MFA service under 'mfa.connectors', or "
                               + "delete the 'mfa' block")
        }
    }

    /// `noncompliant_members: {remove_from: 2027-03-01}`; the key given empty is refused.
    private static func loadMemberRemoval(_ node: YAMLReader?) throws -> MemberRemoval? {
        guard let node else { return nil }
        try node.rejectUnknownKeys(allowed: ConfigKeys.memberRemoval)
        let dateNode = try node.require("remove_from")
        let text = try dateNode.string()
        guard let date = LocalDate(iso: text) else {
            throw dateNode.error("must be a date such as 2027-03-01, in the years "
                                 + "\(LocalDate.yearsText), found '\(text)'")
        }
        return MemberRemoval(from: date, source: "\(dateNode.file):\(dateNode.node.mark.line)")
    }

    /// An exec program gets none of idsync's own secrets: a `pass_env` name that the bind
    /// password, the SCIM token or a connector's `*_env` is read from is refused at its line.
    private static func refusePassingSecrets(_ blocks: [YAMLReader],
                                             _ secrets: Set<String>) throws {
        for block in blocks {
            for item in try block.optional("pass_env")?.elements() ?? [] {
                let name = try item.string()
                guard secrets.contains(name) else { continue }
                throw item.error("names \(name), which holds a secret of idsync's own; give "
                                 + "the program its secret in a variable of its own")
            }
        }
    }

    private static func loadMFAConnector(_ block: YAMLReader, folder: String) throws -> MFAConnectorSettings {
        let typeNode = try block.require("type")
        let type = try typeNode.string()
        guard let allowed = mfaConnectorKeys[type] else {
            throw typeNode.error("must be one of \(mfaConnectorKeys.keys.sorted().joined(separator: ", ")), "
                                 + "found '\(type)'")
        }
        try block.rejectUnknownKeys(allowed: allowed.union(["name", "type"]))
        for key in allowed where key.hasSuffix("_file") && key != "ca_file" {
            try refuseSecondSecretSource(block, String(key.dropLast("_file".count)))
        }
        var values: [String: String] = [:]
        for (key, value) in try block.entries() where key != "name" && key != "type" {
            if key == "pass_env" {
                values[key] = try environmentNames(value).joined(separator: " ")
                continue
            }
            let text = try value.string()
            values[key] = mfaPathKeys.contains(key) ? resolve(text, in: folder) : text
        }
        let origin = "\(block.file):\(block.node.mark.line)"
        return MFAConnectorSettings(name: try block.string("name"), type: type, values: values, origin: origin)
    }

    /// The variables an exec program may see besides its minimal environment: a list of
    /// names, each checked here so that a typo or a stray `$` is refused at its line.
    private static func environmentNames(_ node: YAMLReader) throws -> [String] {
        try node.elements().map { item in
            let name = try item.string()
            let valid = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard valid else {
                throw item.error("must be an environment variable name (letters, digits, _), found '\(name)'")
            }
            return name
        }
    }
}

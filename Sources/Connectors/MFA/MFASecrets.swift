import Foundation
import HTTP
import IdentitySync

/// Reads a connector's secret from `<key>_file` (first line; the file private to its owner,
/// checked by `ProtectedFile`) or `<key>_env`. Never from the config itself, never from an argument.
enum MFASecrets {
    static func read(_ settings: MFAConnectorSettings, _ key: String,
                     environment: [String: String]) throws -> String {
        let what = "mfa connector '\(settings.name)' (\(settings.origin))"
        return try SecretSetting.read(file: settings.value("\(key)_file"),
                                      variable: settings.value("\(key)_env"), key: key,
                                      owner: what, setting: { "\(what): \($0)" },
                                      environment: environment)
    }

    /// The base URL without a trailing slash, refused when it is plain http to another host.
    static func baseURL(_ settings: MFAConnectorSettings, key: String = "url") throws -> String {
        let url = try settings.require(key)
        let plaintext = settings.value("allow_plaintext") == "true"
        if let problem = HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: plaintext) {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): \(key) \(problem)")
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    static func options(_ settings: MFAConnectorSettings) -> HTTPOptions {
        HTTPOptions(caFile: settings.value("ca_file"))
    }

    /// `unassign` only where the connector knows tokens without owners (privacyIDEA).
    static func leaverPolicy(_ settings: MFAConnectorSettings,
                             unassigns: Bool = false) throws -> LeaverAuthenticatorPolicy {
        guard let text = settings.value("leaver_authenticators") else { return .revoke }
        let policy = LeaverAuthenticatorPolicy(rawValue: text)
        guard let policy, unassigns || policy != .unassign else {
            let allowed = unassigns ? "revoke, delete or unassign" : "revoke or delete"
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): "
                                + "leaver_authenticators must be \(allowed), found '\(text)'")
        }
        return policy
    }

    /// `bulk_reconciliation`: on unless the block says `false`.
    static func listsInBulk(_ settings: MFAConnectorSettings) throws -> Bool {
        guard let text = settings.value("bulk_reconciliation") else { return true }
        guard let value = Bool(text) else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): "
                                + "bulk_reconciliation must be true or false, found '\(text)'")
        }
        return value
    }
}

/// Typed reads of a decoded JSON object, for vendor answers.
struct JSONObject {
    let raw: [String: Any]

    init?(_ value: Any?) {
        guard let raw = value as? [String: Any] else { return nil }
        self.raw = raw
    }

    subscript(_ key: String) -> Any? { raw[key] }

    func object(_ key: String) -> JSONObject? { JSONObject(raw[key]) }
    func objects(_ key: String) -> [JSONObject] { (raw[key] as? [Any] ?? []).compactMap(JSONObject.init) }
    func string(_ key: String) -> String? {
        if let text = raw[key] as? String { return text }
        if let number = raw[key] as? NSNumber { return number.stringValue }
        return nil
    }
    func bool(_ key: String) -> Bool? { (raw[key] as? NSNumber)?.boolValue ?? (raw[key] as? Bool) }
    func int(_ key: String) -> Int? { (raw[key] as? NSNumber)?.intValue }
}

/// Percent-encodes a query or path value (RFC 3986 unreserved characters stay).
func urlEncoded(_ text: String) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

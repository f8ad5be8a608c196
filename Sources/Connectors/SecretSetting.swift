import IdentitySync

/// A secret the config names by where it lives, never by value: `<key>_file` (its first line,
/// the file private to its owner, checked by `ProtectedFile`) or `<key>_env`. The bind
/// password, the SCIM token and every MFA connector's secrets are read through here.
enum SecretSetting {
    /// `setting` spells a setting for messages ("directory.password_file"); `owner` names the
    /// config section in the message for a config that gives neither.
    static func read(file: String?, variable: String?, key: String, owner: String,
                     setting: (String) -> String, environment: [String: String]) throws -> String {
        guard file == nil || variable == nil else {
            throw ConfigProblem("\(owner) gives both \(key)_file and \(key)_env; give one of them")
        }
        if let file {
            return try ProtectedFile.readSecret(file, role: setting("\(key)_file"))
        }
        if let variable {
            guard let secret = environment[variable], !secret.isEmpty else {
                let named = setting("\(key)_env")
                throw ConfigProblem("the environment variable \(variable) (\(named)) is not set")
            }
            return secret
        }
        throw ConfigProblem("\(owner) needs \(key)_file or \(key)_env")
    }
}

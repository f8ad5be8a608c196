import Foundation
import IdentitySync
import LDAP

/// Opens and binds the connection a directory connector uses, by the site's TLS rules.
///
/// Plain ldap:// is refused except on loopback or where the config says so explicitly,
/// and the bind password comes from a file or an environment variable, never an argument.
public enum DirectorySession {
    public static func open(_ config: DirectoryConfig,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LDAPConnection {
        try checkTransport(config)
        let password = try bindPassword(config, environment: environment)
        do {
            let connection = try LDAPConnection(url: config.url, tls: TLSOptions(caFile: config.caFile,
                                                                                   startTLS: config.startTLS))
            try connection.bind(dn: config.bindDN, password: password)
            return connection
        } catch let error as LDAPError {
            throw DirectoryUnavailable(url: config.url, identity: config.bindDN, error: error)
        }
    }

    static func checkTransport(_ config: DirectoryConfig) throws {
        if let problem = config.transportProblem { throw ConfigProblem(problem) }
    }

    /// The password from `password_file` (its first line) or `password_env`.
    public static func bindPassword(_ config: DirectoryConfig, environment: [String: String]) throws -> String {
        try SecretSetting.read(file: config.passwordFile, variable: config.passwordEnvironment,
                               key: "password", owner: "directory", setting: { "directory.\($0)" },
                               environment: environment)
    }
}

/// A configuration that cannot work, found when connecting; the CLI exits 2 on it.
public struct ConfigProblem: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The directory did not answer, refused TLS, or refused the bind: the run stops (exit 3)
/// before reading anything.
public struct DirectoryUnavailable: Error, CustomStringConvertible {
    public let url: String
    public let identity: String
    public let error: LDAPError

    /// The server refused the identity or its password: a configuration error (exit 2).
    public var isInvalidCredentials: Bool { error.code == 49 }

    public var description: String {
        if error.code == 49 {
            return "the directory \(url) refused the bind as \(identity) (49 invalid credentials); "
                + "check directory.bind_dn and the password file or variable"
        }
        return "cannot reach the directory \(url) as \(identity): \(error)"
    }
}

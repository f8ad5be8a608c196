import Foundation
import IdentitySync

/// Builds the MFA connectors a site's `mfa.connectors` names, in config order.
public enum MFAConnectors {
    public static func make(_ config: MFAConfig,
                            environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> [MFAConnector] {
        try config.connectors.map { settings in
            switch settings.type {
            case "privacyidea": return try PrivacyIDEAConnector(settings, environment: environment)
            case "okta": return try OktaConnector(settings, environment: environment)
            case "graph": return try GraphConnector(settings, environment: environment)
            case "duo": return try DuoConnector(settings, environment: environment)
            case "exec": return try ExecConnector(settings, environment: environment)
            default:
                throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): the type "
                                    + "'\(settings.type)' is not built yet")
            }
        }
    }
}

import Foundation
import YAML

/// The `terminate:` section of idsync.yaml.
public struct TerminateConfig: Sendable {
    /// How long `idsync terminate` waits for a running sync to release the lock before it
    /// goes ahead without it (its directory steps are idempotent).
    public var lockWait: TimeInterval = 300

    public init() {}
}

extension ConfigLoader {
    static func loadTerminate(_ node: YAMLReader?) throws -> TerminateConfig {
        var config = TerminateConfig()
        guard let node else { return config }
        try node.rejectUnknownKeys(allowed: ConfigKeys.terminate)
        if let wait = try node.optional("lock_wait") {
            let text = try wait.string()
            guard let seconds = TerminateConfig.duration(text) else {
                throw wait.error(
                    "must be a duration such as 90s, 5m or 1h (at most 1h), found '\(text)'")
            }
            config.lockWait = seconds
        }
        return config
    }
}

extension TerminateConfig {
    /// `0`, `45`, `90s`, `5m`, `1h`: whole seconds, minutes or hours, at most an hour, since
    /// a termination that waits longer is no longer on demand.
    static func duration(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(text)
        var unit = 1.0
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count >= 0
        else { return nil }
        let seconds = Double(count) * unit
        return seconds <= 3600 ? seconds : nil
    }
}

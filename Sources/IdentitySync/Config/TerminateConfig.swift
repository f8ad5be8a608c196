import Foundation
import YAML

/// The `terminate:` section of idsync.yaml.
public struct TerminateConfig: Sendable {
    /// How long `idsync terminate` waits for a running sync to release the lock before it
    /// goes ahead without it (its directory steps are idempotent).
    public var lockWait: TimeInterval = 300
    /// How long the question on the terminal waits for `yes`. terminate holds the sync lock
    /// while it asks, and a nightly sync that starts meanwhile exits 4.
    public var confirmWait: TimeInterval = 120

    public init() {}
}

extension ConfigLoader {
    static func loadTerminate(_ node: YAMLReader?) throws -> TerminateConfig {
        var config = TerminateConfig()
        guard let node else { return config }
        try node.rejectUnknownKeys(allowed: ConfigKeys.terminate)
        if let wait = try node.optional("lock_wait") {
            config.lockWait = try waitDuration(wait)
        }
        if let wait = try node.optional("confirm_wait") {
            config.confirmWait = try waitDuration(wait)
            guard config.confirmWait > 0 else {
                throw wait.error("must be at least 1s: with 0 nobody could answer in time")
            }
        }
        return config
    }

    private static func waitDuration(_ node: YAMLReader) throws -> TimeInterval {
        let text = try node.string()
        guard let seconds = TerminateConfig.duration(text) else {
            throw node.error(
                "must be a duration such as 90s, 5m or 1h (at most 1h), found '\(text)'")
        }
        return seconds
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

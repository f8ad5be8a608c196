import Foundation

/// Tells whether an account is protected by the site's rules (by DN, group or attribute),
/// the same way the planner tells it: adoption never writes on a protected account.
public struct ProtectionCheck: Sendable {
    private let state: PlanningState

    public init(config: Config, directory: ObservedDirectory) {
        state = PlanningState(config: config, directory: directory)
    }

    public func isProtected(_ account: ObservedAccount) -> Bool {
        state.protectedReason(account) != nil
    }
}

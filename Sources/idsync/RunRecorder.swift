import Foundation
import IdentitySync

/// Gathers what a sync leaves for monitoring while it runs, and writes the status and
/// metrics files when the command ends, however it ends (once the config is loaded).
final class RunRecorder: @unchecked Sendable {
    /// Set once the config is loaded; before that there is nowhere to write.
    var config: Config?
    let run = UUID().uuidString.lowercased()
    /// Set on the feed's thread before the main thread waits for it.
    var feedAge: TimeInterval?
    var outcomes: [ChangeOutcome] = []

    func finish(_ status: ExitStatus) {
        guard let config,
            config.monitoring.statusFile != nil || config.monitoring.metricsFile != nil
        else { return }
        var facts = RunFacts(
            run: run, finished: Date(), exitCode: status.rawValue, configHash: config.hash)
        facts.feedAge = feedAge
        facts.count(outcomes)
        do {
            try RunMonitor.record(facts, config: config.monitoring)
        } catch {
            Output.error("idsync: \(error)\n")
        }
    }
}

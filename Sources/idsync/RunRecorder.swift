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

    /// Set once the files are written (or could not be).
    private(set) var finished = false

    /// Writes the files and returns the run's exit status: a run that succeeded but could
    /// not write them exits 1, so that cron alerts on what monitoring will miss. The
    /// directory work is done by then; a file never stops a write.
    func finish(_ status: ExitStatus) -> ExitStatus {
        finished = true
        guard let config,
            config.monitoring.statusFile != nil || config.monitoring.metricsFile != nil
        else { return status }
        var facts = RunFacts(
            run: run, finished: Date(), exitCode: status.rawValue, configHash: config.hash)
        facts.feedAge = feedAge
        facts.count(outcomes)
        do {
            try RunMonitor.record(facts, config: config.monitoring)
            return status
        } catch {
            Output.error("idsync: \(error)\n")
            return status == .success ? .partial : status
        }
    }
}

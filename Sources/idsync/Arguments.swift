import Foundation

/// The parsed command line. Secrets are never accepted here: the bind password comes
/// from the file or environment variable the config names.
struct Arguments {
    enum Command: String, CaseIterable {
        case plan, sync, validate, adopt, terminate, reinstate, apply, explain, report
    }

    var command: Command
    var configPath = "idsync.yaml"
    var format = "text"
    var outPath: String?
    var at: String?
    var today: String?
    var allowChanges: Int?
    var reason: String?
    var help = false
    /// adopt: where the review files go, the review file to apply, and who approved it.
    var outDir = "."
    var applyPath: String?
    var approvedBy: String?
    var termination = TerminationArguments()
    /// Reports show the fields `report.redact` names only when this is given.
    var unredacted = false
    /// apply: the saved plan.
    var planPath: String?

    static let valueOptions = Set(["--config", "--format", "--out", "--at", "--today",
                                   "--allow-changes", "--reason", "--out-dir", "--apply",
                                   "--approved-by", "--plan"]).union(TerminationArguments.valueOptions)

    /// Parses `idsync COMMAND [options]`; throws a `UsageError` naming the bad argument.
    static func parse(_ words: [String]) throws -> Arguments {
        guard let first = words.first, first != "--help", first != "-h" else {
            throw UsageError(message: nil, command: nil)
        }
        guard let command = Command(rawValue: first) else {
            let commands = Command.allCases.map(\.rawValue).joined(separator: ", ")
            throw UsageError(message: "unknown command '\(first)'; the commands are \(commands)",
                             command: nil)
        }
        var arguments = Arguments(command: command)
        var rest = words.dropFirst()[...]
        while let word = rest.popFirst() {
            if word == "--help" || word == "-h" { arguments.help = true; continue }
            if arguments.termination.setFlag(word) { continue }
            if word == "--unredacted" { arguments.unredacted = true; continue }
            // `--config=FILE`, as other Unix tools take it, for any option with a value.
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "="),
               valueOptions.contains(String(word[..<equals])) {
                try arguments.set(String(word[..<equals]), String(word[word.index(after: equals)...]))
                continue
            }
            guard valueOptions.contains(word) else {
                let position = words.count - rest.count
                throw UsageError(message: unknownArgument(word, at: position), command: command)
            }
            guard let value = rest.popFirst() else {
                throw UsageError(message: "\(word) needs a value", command: command)
            }
            try arguments.set(word, value)
        }
        // Help is answered before the combination checks: `terminate --help` needs no key.
        if !arguments.help {
            try arguments.check()
        }
        return arguments
    }

    /// The message for an argument no command takes, without its value: `-pHunter2`, a
    /// `--name=value` or a bare word may be a password typed where none belongs, and stderr
    /// ends up in the cron log. `position` counts the words after `idsync`, the command first.
    static func unknownArgument(_ word: String, at position: Int) -> String {
        guard word.hasPrefix("-"), word.count > 1 else {
            return "an extra argument was given at position \(position) (not shown: it may be "
                + "a secret); options start with -- and take their value as the next argument"
        }

        let name = word.hasPrefix("--") ? String(word.prefix { $0 != "=" }) : String(word.prefix(2))
        return "unknown option '\(name)'"
    }

    private mutating func set(_ option: String, _ value: String) throws {
        switch option {
        case "--config": configPath = value
        case "--format": format = value
        case "--out": outPath = value
        case "--at": at = value
        case "--today": today = value
        case "--reason": reason = value
        case "--out-dir": outDir = value
        case "--apply": applyPath = value
        case "--approved-by": approvedBy = value
        case "--plan": planPath = value
        case _ where TerminationArguments.valueOptions.contains(option): termination.set(option, value)
        case "--allow-changes":
            guard let count = Int(value), count >= 0 else {
                throw UsageError(message: "--allow-changes takes a whole number, found '\(value)'", command: command)
            }
            allowChanges = count
        default: break
        }
    }

    private func check() throws {
        try checkTermination()
        guard ["text", "json", "csv", "html"].contains(format) else {
            throw UsageError(message: "--format must be text, json, csv or html, found '\(format)'",
                             command: command)
        }
        try checkReportOptions()
        if at != nil && today != nil {
            throw UsageError(message: "give --at or --today, not both", command: command)
        }
        try checkAdopt()
        if allowChanges != nil && (reason ?? "").isEmpty {
            throw UsageError(message: "--allow-changes needs --reason TEXT; the override is audited", command: command)
        }
    }
}

extension Arguments {
    /// --apply, --approved-by and --out-dir belong to adopt; applying needs an approver.
    private func checkAdopt() throws {
        // apply takes --approved-by too, for a saved plan.
        let adoptOnly = applyPath != nil || (approvedBy != nil && command != .apply) || outDir != "."
        if command != .adopt && adoptOnly {
            throw UsageError(message: "--apply, --approved-by and --out-dir are options of adopt",
                             command: command)
        }
        if applyPath != nil && (approvedBy ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw UsageError(message: "--apply needs --approved-by NAME: who approved the review file "
                                 + "is audited",
                             command: command)
        }
        if command == .adopt && applyPath == nil && approvedBy != nil {
            throw UsageError(message: "--approved-by goes with --apply FILE", command: command)
        }
    }
}

struct UsageError: Error {
    let message: String?
    let command: Arguments.Command?
}

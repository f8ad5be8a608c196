import Foundation

// idsync COMMAND [options]: see Help.general.
do {
    let arguments = try Arguments.parse(Array(CommandLine.arguments.dropFirst()))
    if arguments.help {
        print(Help.text(for: arguments.command))
        exit(0)
    }
    exit(Commands(arguments: arguments).run().rawValue)
} catch let usage as UsageError {
    if let message = usage.message {
        Output.error("idsync: \(message)\n")
        let hint = usage.command.map { "idsync \($0.rawValue) --help" } ?? "idsync --help"
        Output.error("see '\(hint)'\n")
        exit(2)
    }
    // `idsync --help` asked for help; a bare `idsync` is a usage error that cron must see.
    let asked = CommandLine.arguments.count > 1
    if asked {
        print(Help.general)
        exit(0)
    }
    Output.error(Help.general + "\n")
    exit(2)
}

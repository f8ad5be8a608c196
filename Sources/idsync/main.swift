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
    print(Help.general)
    exit(0)
}

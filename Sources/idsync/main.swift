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
        FileHandle.standardError.write(Data("idsync: \(message)\n".utf8))
        let hint = usage.command.map { "idsync \($0.rawValue) --help" } ?? "idsync --help"
        FileHandle.standardError.write(Data("see '\(hint)'\n".utf8))
        exit(2)
    }
    print(Help.general)
    exit(0)
}

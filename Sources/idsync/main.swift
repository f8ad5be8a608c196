import Foundation
#if canImport(Glibc)
import Glibc

// One malloc arena for the whole process. The feed is read on a second thread, and glibc
// gave that thread an arena of its own whose freed memory stayed resident: a 100,000-person
// plan peaked at 196 MB with two arenas and at 160 MB with one, in the same CPU time.
// mallopt is not in Swift's Glibc module, hence the lookup; M_ARENA_MAX is -8 in malloc.h.
if let mallopt = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
    typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
    _ = unsafeBitCast(mallopt, to: MallocOption.self)(-8, 1)
}
#endif

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

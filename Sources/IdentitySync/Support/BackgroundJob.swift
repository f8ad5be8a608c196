import Foundation

/// Runs one throwing job on a thread of its own; `result()` waits for it and rethrows.
///
/// idsync's stages wait on different things (the feed on the disk and the parser, the read on
/// slapd), so a run overlaps them on the machine's second core rather than adding them up.
public final class BackgroundJob<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Value, Error>?

    public init(_ job: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            outcome = Result { try job() }
            done.signal()
        }
        // A secondary thread gets 512 KB of stack by default; the jobs here get what the
        // main thread has.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The job's value; waits until it is there. Called once, from one thread.
    public func result() throws -> Value {
        done.wait()
        return try outcome!.get()
    }
}

import Foundation

/// The lock one run holds so that a second one exits 4 instead of racing it.
///
/// An advisory `flock` on a file: the kernel drops it when the process dies, even by
/// kill -9, so a crashed run never leaves a stale lock behind.
public final class RunLock {
    public let path: String
    private let fd: Int32
    /// How long taking the lock waited for another run.
    public let waited: TimeInterval
    /// The run the lock file named when this one took it: a run that wrote a run-start
    /// record and was killed or crashed before it let go of the lock cleanly.
    public let unfinished: (run: String, pid: String)?

    /// Takes the lock, or throws `RunLockError.held` at once when another run holds it.
    public convenience init(path: String) throws {
        try self.init(path: path, waitingUpTo: 0)
    }

    /// Takes the lock, waiting up to `wait` seconds for the run that holds it (`idsync
    /// terminate` cannot wait for tomorrow, but should not race tonight's sync either).
    /// `waiting` is called once, when the wait starts. Throws `RunLockError.held` when the
    /// wait runs out.
    public init(path: String, waitingUpTo wait: TimeInterval, waiting: (() -> Void)? = nil) throws {
        let fd: Int32
        do {
            fd = try StateFile.open(path, flags: O_RDWR, role: "lock.path")
        } catch let refusal as StateFileRefusal {
            guard refusal.errorNumber != nil else { throw RunLockError.refused(refusal.problem) }
            throw RunLockError.unusable(path: path, problem: refusal.problem)
        }
        let started = Date()
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let elapsed = Date().timeIntervalSince(started)
            guard elapsed < wait else {
                close(fd)
                throw RunLockError.held(path: path)
            }
            if !told { waiting?(); told = true }
            usleep(useconds_t(min(0.05, wait - elapsed) * 1_000_000))
        }
        self.path = path
        self.fd = fd
        self.waited = Date().timeIntervalSince(started)
        self.unfinished = RunLock.unfinishedRun(in: RunLock.contents(of: fd))
        replaceContents("\(getpid())\n")
    }

    /// Names this run in the lock file until the lock is let go: a run that is killed or
    /// crashes leaves its id there for the next one to report.
    public func claim(run: String) {
        replaceContents("\(getpid())\nrun \(run)\n")
    }

    /// The process id the holder wrote into the lock file, for messages; nil if unreadable.
    public static func holder(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let pid = text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces)
        return pid?.isEmpty == false ? pid : nil
    }

    /// The run a lock file names (`PID`, then `run ID`), if any. A run that let go of the
    /// lock cleanly left only its PID.
    static func unfinishedRun(in text: String) -> (run: String, pid: String)? {
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 2, lines[1].hasPrefix("run ") else { return nil }
        let run = String(lines[1].dropFirst(4))
        return run.isEmpty ? nil : (run, lines[0])
    }

    /// The first few hundred bytes of the file: a PID and a run id.
    private static func contents(of fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 512)
        let count = pread(fd, &bytes, bytes.count, 0)
        return String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self)
    }

    private func replaceContents(_ text: String) {
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        replaceContents("\(getpid())\n")
        flock(fd, LOCK_UN)
        close(fd)
    }
}

public enum RunLockError: Error, CustomStringConvertible {
    case held(path: String)
    case unusable(path: String, problem: String)
    /// A lock file idsync will not write its PID into: a link, a second hard link, a folder
    /// others can change. The message names it and the fix.
    case refused(String)

    public var description: String {
        switch self {
        case .held(let path):
            return "another idsync run holds the lock \(path); this run stops without changing anything"
        case .unusable(let path, let problem):
            return "cannot open the lock file \(path): \(problem)"
        case .refused(let problem):
            return problem + "; this run stops without changing anything"
        }
    }
}

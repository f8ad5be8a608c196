import Foundation

/// The lock one run holds so that a second one exits 4 instead of racing it.
///
/// An advisory `flock` on a file: the kernel drops it when the process dies, even by
/// kill -9, so a crashed run never leaves a stale lock behind.
public final class RunLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock, or throws `RunLockError.held` at once when another run holds it.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RunLockError.unusable(path: path, problem: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RunLockError.held(path: path)
        }
        self.path = path
        self.fd = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

public enum RunLockError: Error, CustomStringConvertible {
    case held(path: String)
    case unusable(path: String, problem: String)

    public var description: String {
        switch self {
        case .held(let path):
            return "another idsync run holds the lock \(path); this run stops without changing anything"
        case .unusable(let path, let problem):
            return "cannot open the lock file \(path): \(problem)"
        }
    }
}

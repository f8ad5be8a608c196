import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Opens the files idsync keeps for itself from run to run (the audit log, the run lock):
/// never through a symbolic link, never a file with a second hard link, and only in folders
/// no other user can change (`FolderCheck`). A link in a folder anyone may write let a
/// run as root append its records to, or write its PID over, whatever the link named.
enum StateFile {
    /// The open descriptor of the regular file at `path`, created with mode 0600.
    /// `allowedMode`: the bits an existing file may have, or nil when its mode is no concern.
    /// - Throws: `StateFileRefusal` with the reason and the fix, or with the errno of `open`.
    static func open(_ path: String, flags: Int32, role: String,
                     allowedMode: mode_t? = nil) throws -> Int32 {
        var existing = stat()
        let exists = lstat(path, &existing) == 0
        let owner = exists ? existing.st_uid : geteuid()
        do {
            try FolderCheck(path: path, fileOwner: owner, role: role).run()
        } catch {
            throw StateFileRefusal(problem: "\(error)", errorNumber: nil)
        }
        // A device is refused before it is opened: opening one may already act (a tape
        // rewinds). A symbolic link is left to O_NOFOLLOW, which names it below.
        let type = existing.st_mode & S_IFMT
        if exists, type != S_IFREG, type != S_IFLNK {
            throw notRegular(path, role: role, type: type)
        }

        // O_NONBLOCK: a FIFO put in the file's place is refused below instead of waited on.
        let fd = Glibc.open(path, flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else { throw openRefusal(path, role: role, errno: errno) }
        do {
            try check(fd, path: path, role: role, allowedMode: allowedMode)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func check(_ fd: Int32, path: String, role: String,
                              allowedMode: mode_t?) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw StateFileRefusal(problem: String(cString: strerror(errno)), errorNumber: errno)
        }
        // Checked again on the open file: the name may have changed hands in between.
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { throw notRegular(path, role: role, type: type) }
        guard info.st_nlink == 1 else {
            throw StateFileRefusal(
                problem: "\(role) \(path) has \(info.st_nlink) hard links: writing it would "
                    + "change the file under its other names too. Give it a path of its own "
                    + "(or remove this name, rm \(path), and idsync creates a new file)",
                errorNumber: nil)
        }

        let mode = info.st_mode & 0o7777
        guard let allowed = allowedMode, mode & ~allowed != 0 else { return }
        throw StateFileRefusal(
            problem: "\(role) \(path) has mode \(String(mode, radix: 8)): other users could "
                + "read or change it. idsync does not use it until it is mode 600, or 640 "
                + "for a log reader's group: chmod 600 \(path)",
            errorNumber: nil)
    }

    /// Only a regular file keeps what is written: /dev/null would swallow every audit record
    /// and succeed, and a folder, FIFO or socket is no file to append to.
    private static func notRegular(_ path: String, role: String, type: mode_t) -> StateFileRefusal {
        let named = ProtectedFileError.describe(type)
        return StateFileRefusal(
            problem: "\(role) \(path) is \(named), not a regular file: idsync keeps its records "
                + "only in a file of its own. Give the path of a regular file (a missing one is "
                + "created with mode 600)",
            errorNumber: nil)
    }

    /// A link is named as such; anything else by the errno of `open`.
    private static func openRefusal(_ path: String, role: String, errno code: Int32)
        -> StateFileRefusal
    {
        var info = stat()
        guard code == ELOOP, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else {
            return StateFileRefusal(problem: String(cString: strerror(code)), errorNumber: code)
        }
        let to = ProtectedFile.linkTarget(path).map { " (to \($0))" } ?? ""
        return StateFileRefusal(
            problem: "\(role) \(path) is a symbolic link\(to); idsync does not write through "
                + "links, on purpose: whoever can change the link could send the writes "
                + "anywhere. Give the path of a file of your own instead",
            errorNumber: nil)
    }
}

/// Why `StateFile.open` gave no file. `errorNumber` is nil when idsync refused the file
/// itself (a link, a second hard link, a folder or mode others can change): the site's fix.
struct StateFileRefusal: Error, CustomStringConvertible {
    let problem: String
    let errorNumber: Int32?

    var description: String { problem }
}

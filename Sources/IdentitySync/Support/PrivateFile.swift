import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Writes the files that name people (reports from `--out`, adoption review files): mode
/// 0600, never through a symbolic link, and only into a regular file.
public enum PrivateFile {
    /// Writes all of `text` to `path`, created or truncated. `role` names the file in errors,
    /// e.g. `--out`.
    /// - Throws: `PrivateFileError` when the path is a link or no regular file, or when the
    ///   file cannot be opened or written in full.
    public static func write(_ text: String, to path: String, role: String) throws {
        // Whoever can change a folder on the way can swap the file for a link after the
        // check, or read the report through a name of their own.
        var existing = stat()
        let owner = lstat(path, &existing) == 0 ? existing.st_uid : geteuid()
        try FolderCheck(path: path, fileOwner: owner, role: role).run()

        // O_NOFOLLOW: a report of who is about to be terminated never goes where a link
        // points. O_NONBLOCK: a FIFO with no reader is refused at once instead of waited on.
        // No O_TRUNC: a file with a second hard link is refused before it is emptied.
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw openError(path, role: role, errno: errno) }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw failure(path, role: role, errno: errno, partial: false)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw PrivateFileError.notRegular(path: path, role: role, type: info.st_mode & S_IFMT)
        }
        guard info.st_nlink == 1 else {
            throw PrivateFileError.hardLinked(path: path, role: role, links: Int(info.st_nlink))
        }
        guard ftruncate(fd, 0) == 0 else {
            throw failure(path, role: role, errno: errno, partial: false)
        }
        fchmod(fd, 0o600)
        try writeAll(Array(text.utf8), to: fd, path: path, role: role)
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String, role: String)
        throws
    {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes {
                Glibc.write(fd, $0.baseAddress, $0.count)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure(path, role: role, errno: errno, partial: true) }
            written += count
        }
    }

    /// Why `open` refused: a link or a FIFO is named as such, anything else by its errno.
    private static func openError(_ path: String, role: String, errno code: Int32)
        -> PrivateFileError
    {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return failure(path, role: role, errno: code, partial: false)
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
            return .link(path: path, role: role, target: ProtectedFile.linkTarget(path))
        }
        guard type == S_IFREG else { return .notRegular(path: path, role: role, type: type) }
        return failure(path, role: role, errno: code, partial: false)
    }

    private static func failure(_ path: String, role: String, errno code: Int32, partial: Bool)
        -> PrivateFileError
    {
        .unwritable(path: path, role: role, reason: String(cString: strerror(code)),
                    partial: partial)
    }
}

/// A report or review file idsync did not write, or wrote only in part. The CLI exits 2.
public enum PrivateFileError: Error, CustomStringConvertible {
    case link(path: String, role: String, target: String?)
    case notRegular(path: String, role: String, type: mode_t)
    /// The file has another name too, which the write would change as well.
    case hardLinked(path: String, role: String, links: Int)
    /// `partial`: the file was opened, so what is in it now is a truncated report.
    case unwritable(path: String, role: String, reason: String, partial: Bool)

    public var description: String {
        switch self {
        case .link(let path, let role, let target):
            let to = target.map { " (to \($0))" } ?? ""
            return "\(role) \(path) is a symbolic link\(to); idsync does not write through "
                + "links, on purpose: the file names people, and a link could send it anywhere. "
                + "Give the path of a file of your own instead"
        case .notRegular(let path, let role, let type):
            return "\(role) \(path) is \(ProtectedFileError.describe(type)), not a regular "
                + "file; idsync writes only regular files: give a file's path"
        case .hardLinked(let path, let role, let links):
            return "\(role) \(path) has \(links) hard links; idsync does not write it, on "
                + "purpose: the file names people, and the other names would show the report "
                + "too (and lose what they held). Give a new path, or remove this name first "
                + "(rm \(path))"
        case .unwritable(let path, let role, let reason, let partial):
            return "cannot write \(role) \(path) (\(reason))"
                + (partial ? "; the file holds only part of it, do not use it" : "")
        }
    }
}

import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Reads the files that decide what idsync does (config, mappings, exceptions) and the
/// files that hold secrets (the bind password, API tokens) only when no other user could
/// have written them, and, for secrets, read them.
///
/// The mode is checked on the file that was opened, after links are followed, so a link
/// to a world-writable file is refused too and nothing can swap the file between check and
/// read. The folders that lead to it are checked as sshd's StrictModes does (`FolderCheck`):
/// whoever can write a folder on the way can put another file in its place. Connectors call
/// `readSecret` for their token files.
public enum ProtectedFile {
    public enum Kind: Sendable {
        /// Decides who gets access: no write bit for group or other.
        case config
        /// Holds a credential: no bit at all for group or other.
        case secret
    }

    /// The bytes of the file at `path`, after checking its mode for `kind`.
    /// `role` names the file in errors, e.g. `directory.password_file`.
    /// - Throws: `ProtectedFileError` when the file cannot be read, is not a regular file, or
    ///   its mode or a folder on its way is too open.
    public static func read(_ path: String, as kind: Kind, role: String) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO waits for a writer; this way it is refused at once below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw ProtectedFileError.unreadable(path: path, role: role, errno: errno)
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ProtectedFileError.unreadable(path: path, role: role, errno: errno)
        }
        // A folder, FIFO or device (/dev/zero never ends) is no export, config or secret.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ProtectedFileError.notRegular(path: path, role: role, type: info.st_mode & S_IFMT)
        }
        try check(mode: info.st_mode, of: path, as: kind, role: role)
        try FolderCheck(path: path, fileOwner: info.st_uid, role: role).run()

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw ProtectedFileError.unreadable(path: path, role: role, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// A secret's first line, as text; the usual shape of a password or token file.
    /// - Throws: `ProtectedFileError` as `read` does, and when that line is empty.
    public static func readSecret(_ path: String, role: String) throws -> String {
        let bytes = try read(path, as: .secret, role: role)
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        guard !line.isEmpty else { throw ProtectedFileError.empty(path: path, role: role) }
        return String(decoding: line, as: UTF8.self)
    }

    /// Checks the mode of the file at `path` (links followed) without reading it, for files
    /// another library opens, such as a CA certificate.
    public static func check(_ path: String, as kind: Kind, role: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ProtectedFileError.unreadable(path: path, role: role, errno: errno)
        }
        // A CA "file" that is a FIFO would hang the TLS library that opens it.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ProtectedFileError.notRegular(path: path, role: role, type: info.st_mode & S_IFMT)
        }
        try check(mode: info.st_mode, of: path, as: kind, role: role)
        try FolderCheck(path: path, fileOwner: info.st_uid, role: role).run()
    }

    private static func check(mode: mode_t, of path: String, as kind: Kind, role: String) throws {
        let forbidden: mode_t = kind == .secret ? 0o077 : 0o022
        guard mode & forbidden != 0 else { return }
        throw ProtectedFileError.tooOpen(
            path: path, target: linkTarget(path), role: role,
            mode: mode & 0o7777, kind: kind)
    }

    /// Where `path` leads when a link is on the way; nil when it is the file itself.
    static func linkTarget(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let target = String(cString: resolved)
        var info = stat()
        let isLink = lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
        return isLink || target != absolute(path) ? target : nil
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// A config or secret file idsync will not use. The CLI exits 2 on it: fix the file, run again.
public enum ProtectedFileError: Error, CustomStringConvertible {
    case unreadable(path: String, role: String, errno: Int32)
    case empty(path: String, role: String)
    case notRegular(path: String, role: String, type: mode_t)
    /// A folder on the way lets a user other than root, idsync's and the file's swap it.
    case unsafeFolder(path: String, role: String, FolderProblem)
    case tooOpen(
        path: String, target: String?, role: String, mode: mode_t, kind: ProtectedFile.Kind)

    public var description: String {
        switch self {
        case .unreadable(let path, let role, let code):
            let reason = String(cString: strerror(code))
            return "\(path): cannot read the file (\(reason)); it is the \(role)"
        case .empty(let path, let role):
            return "\(role) \(path) is empty"
        case .notRegular(let path, let role, let type):
            return "\(role) \(path) is \(ProtectedFileError.describe(type)), not a regular file; "
                + "idsync reads only regular files there: give the path of the file itself"
        case .unsafeFolder(let path, let role, let problem):
            return "\(role) \(path) \(problem.describe())"
        case .tooOpen(let path, let target, let role, let mode, let kind):
            let file = target.map { "\(path) (a link to \($0))" } ?? path
            let real = target ?? path
            let octal = String(mode, radix: 8)
            switch kind {
            case .secret:
                return "\(role) \(file) has mode \(octal): other users could read or change the "
                    + "secret in it. idsync does not start until it is private: chmod 600 \(real)"
            case .config:
                return "\(role) \(file) has mode \(octal): other users could change it, and with "
                    + "it who gets access. idsync does not start until it is not writable by group "
                    + "or other: "
                    + "chmod go-w \(real)"
            }
        }
    }
}

extension ProtectedFileError {
    /// Words for a file type that is not a regular file.
    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}

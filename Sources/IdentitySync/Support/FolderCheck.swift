import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The folders on the way to a protected file, checked as sshd's StrictModes checks a user's
/// authorized_keys: whoever can write a folder on the way can rename the file away and put
/// their own in its place, whatever the file's own mode says.
///
/// Every folder from the file up to `/` is checked, on the path as given (a link on the way
/// can be swapped in its own folder) and on the path with links resolved (where the file
/// really is). A folder passes when
/// - root, the user idsync runs as, or the file's owner (who can change the file anyway)
///   owns it, and
/// - group and other cannot write it, or it is sticky like /tmp and the entry in it on the
///   way belongs to one of those three: in a sticky folder only an entry's owner, the
///   folder's owner and root may rename or remove the entry.
struct FolderCheck {
    let path: String
    let fileOwner: uid_t
    let role: String

    /// - Throws: `ProtectedFileError.unsafeFolder` for the first folder, from the file up,
    ///   that fails.
    func run() throws {
        for step in steps() {
            if let problem = problem(in: step.folder, entry: step.entry) {
                throw ProtectedFileError.unsafeFolder(path: path, role: role, problem)
            }
        }
    }

    /// Each folder with the entry in it that leads to the file, from the file up.
    private func steps() -> [(folder: String, entry: String)] {
        var steps = FolderCheck.steps(to: FolderCheck.absolute(path))
        if let resolved = realpath(path, nil) {
            steps += FolderCheck.steps(to: String(cString: resolved))
            free(resolved)
        }
        return steps
    }

    private static func steps(to path: String) -> [(folder: String, entry: String)] {
        var steps: [(folder: String, entry: String)] = []
        var entry = path
        while entry != "/" && !entry.isEmpty {
            let folder = (entry as NSString).deletingLastPathComponent
            steps.append((folder.isEmpty ? "/" : folder, entry))
            entry = folder
        }
        return steps
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private func problem(in folder: String, entry: String) -> FolderProblem? {
        var info = stat()
        // The file was reached through this folder, so a folder that cannot be examined is
        // one this user cannot list, not one that lets anyone in.
        guard stat(folder, &info) == 0 else { return nil }
        let trusted: Set<uid_t> = [0, geteuid(), fileOwner]
        guard trusted.contains(info.st_uid) else {
            return .owned(folder: folder, owner: info.st_uid)
        }

        let mode = info.st_mode & 0o7777
        guard mode & 0o022 != 0 else { return nil }
        guard mode & S_ISVTX != 0 else { return .writable(folder: folder, mode: mode) }
        var entryInfo = stat()
        guard lstat(entry, &entryInfo) == 0, !trusted.contains(entryInfo.st_uid) else {
            return nil
        }
        return .entryInSticky(folder: folder, mode: mode, entry: entry, owner: entryInfo.st_uid)
    }
}

/// Why a folder on the way to a protected file lets another user swap it.
public enum FolderProblem: Sendable {
    /// Group or other may write the folder, and it is not sticky.
    case writable(folder: String, mode: mode_t)
    /// A user other than root, idsync's user and the file's owner owns the folder.
    case owned(folder: String, owner: uid_t)
    /// A sticky folder anyone may add to, where another user owns the entry on the way.
    case entryInSticky(folder: String, mode: mode_t, entry: String, owner: uid_t)

    /// The message, after "<role> <path> ", with the command that fixes it.
    func describe() -> String {
        let me = FolderProblem.user(geteuid())
        let trusted = me == "root" ? "root" : "root or \(me)"
        switch self {
        case .writable(let folder, let mode):
            return "lies in the folder \(folder), which has mode \(String(mode, radix: 8)): "
                + "other users could put another file in its place. idsync does not start "
                + "until the folder is not writable by group or other: chmod go-w \(folder)"
        case .owned(let folder, let owner):
            return "lies in the folder \(folder), which belongs to \(FolderProblem.user(owner)): "
                + "that user could put another file in its place. idsync does not start until "
                + "the folder belongs to \(trusted): chown \(me) \(folder), or move the file"
        case .entryInSticky(let folder, let mode, let entry, let owner):
            return "is reached through \(entry), which belongs to \(FolderProblem.user(owner)) "
                + "and lies in \(folder) (mode \(String(mode, radix: 8)), anyone may add files): "
                + "that user could put another in its place. idsync does not start until the "
                + "path leads through folders only \(trusted) can change: move the file "
                + "out of \(folder)"
        }
    }

    /// A user's name for messages, or `uid N` when the system has no name for them.
    static func user(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else {
            return "uid \(uid)"
        }
        return String(cString: name)
    }
}

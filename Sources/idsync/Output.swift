import Foundation

/// Writes text to a file descriptor with write(2), all of it or as much as the reader takes.
///
/// SIGPIPE is ignored in this process (libldap would otherwise be killed by it), so a reader
/// that goes away, such as `idsync plan | head`, shows up as EPIPE; FileHandle traps on that
/// error, while here the rest of the text is simply dropped.
enum Output {
    static func write(_ text: String, to fd: Int32 = STDOUT_FILENO) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    static func error(_ text: String) {
        write(text, to: STDERR_FILENO)
    }
}

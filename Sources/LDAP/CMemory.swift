#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLDAP

/// Owns the C memory one libldap call reads: strings, bervals and NULL-terminated arrays.
///
/// Everything is malloc'd here and freed in `deinit`. libldap encodes a request before
/// `ldap_add_ext` and friends return, so an arena may go as soon as the call is back.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        blocks.forEach { free($0) }
    }

    /// A NUL-terminated copy of `text`.
    func string(_ text: String) -> UnsafeMutablePointer<CChar> {
        let bytes = Array(text.utf8CString)
        let pointer = allocate(CChar.self, count: bytes.count)
        pointer.update(from: bytes, count: bytes.count)
        return pointer
    }

    /// A berval over a copy of `text`'s UTF-8 bytes (NUL-terminated too, not counted in bv_len).
    func berval(_ text: String) -> berval {
        let length = text.utf8.count
        return CLDAP.berval(bv_len: ber_len_t(length), bv_val: string(text))
    }

    /// A heap copy of `value`.
    func box<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: 1)
        pointer.initialize(to: value)
        return pointer
    }

    /// A NULL-terminated array of `items`.
    func nullTerminated<T>(_ items: [UnsafeMutablePointer<T>])
        -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
        let array = allocate(UnsafeMutablePointer<T>?.self, count: items.count + 1)
        for (offset, item) in items.enumerated() {
            (array + offset).initialize(to: item)
        }
        (array + items.count).initialize(to: nil)
        return array
    }

    private func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let size = max(1, MemoryLayout<T>.stride * count)
        guard let raw = malloc(size) else { fatalError("out of memory allocating \(size) bytes") }
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }
}

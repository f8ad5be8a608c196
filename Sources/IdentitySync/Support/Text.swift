import Foundation

extension String {
    /// The string without white space (and line breaks) at either end.
    ///
    /// Almost every HR value has none, so the ends are looked at first and the string is
    /// returned as it is; Foundation's trimming, which goes through NSString, runs only
    /// when there is something to trim. It was a third of a 10,000-person plan before.
    var trimmed: String {
        // ASCII letters, digits and punctuation at both ends: nothing to trim.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        guard first.properties.isWhitespace || last.properties.isWhitespace else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Hands out one shared copy of each distinct string, so that 100,000 people in 40
/// departments hold 40 department strings, not 100,000.
public struct StringPool: Sendable {
    private var strings: Set<String> = []

    public init() {}

    public mutating func intern(_ value: String) -> String {
        // Short strings live inside the String value itself and share nothing.
        guard value.utf8.count > 15 else { return value }
        if let existing = strings.firstIndex(of: value) { return strings[existing] }
        strings.insert(value)
        return value
    }
}

extension [UInt8] {
    /// Appends the decimal digits of a non-negative number, zero-padded to `width` (more if
    /// it needs them): timestamps and dates are written this way, since String(format:) took
    /// an eighth of a large sync's CPU.
    mutating func appendDigits(_ value: Int, width: Int) {
        var rest = Swift.max(0, value)
        var count = 1
        while rest >= 10 { rest /= 10; count += 1 }
        let end = self.count + Swift.max(width, count)
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: end - self.count))
        rest = Swift.max(0, value)
        var index = end - 1
        while rest > 0 {
            self[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }
}

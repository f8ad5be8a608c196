/// What every feed (CSV or SCIM) does to an HR value before idsync uses it, and what it
/// refuses to write to the directory. One set of rules, so that both feeds of the same
/// people give the same plan.
public enum HRValue {
    /// The longest HR value idsync writes. Names and titles are far shorter; a longer one is
    /// an export fault, and would fill every report and the directory entry.
    public static let longestValue = 256

    /// Fields a person reads as text, where a quoted CSV field or a JSON string may span lines
    /// (a title typed with alt-enter in a spreadsheet). Names, ids, dates and codes make
    /// logins, DNs, attributes and role matches: a line break there is an export fault.
    static let multiLineFields: Set<HRField> = [.jobTitle]

    /// Why the value as the export holds it, before `cleaned`, may not be used, or nil: a tab
    /// or a line break in a field outside `multiLineFields`. Both used to become a space
    /// unseen, so `Ana<tab>Maria` became the given name `Ana Maria`.
    public static func spacingProblem(_ raw: String, field: HRField) -> String? {
        guard !multiLineFields.contains(field),
              raw.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        else { return nil }
        for (offset, character) in raw.enumerated() {
            if character == "\t" { return "holds a tab at character \(offset + 1)" }
            if character.isNewline { return "holds a line break at character \(offset + 1)" }
        }
        return nil
    }

    /// The value trimmed and on one line: in a job title (see `multiLineFields`) each run of
    /// line breaks and tabs (a continued line's indent) becomes one space. Other fields with
    /// either are quarantined by `spacingProblem` before their value is used.
    public static func cleaned(_ raw: String) -> String {
        guard raw.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            return raw.trimmed
        }

        let breaks: Set<Character> = ["\n", "\r", "\r\n", "\t"]
        var joined = ""
        var previousWasBreak = false
        for character in raw {
            let isBreak = breaks.contains(character)
            if !isBreak {
                joined.append(character)
            } else if !previousWasBreak {
                joined.append(" ")
            }
            previousWasBreak = isBreak
        }
        return joined.trimmed
    }

    /// Why a cleaned value may not reach the directory, or nil. Control characters would
    /// break reports and logs; invisible formatting characters (bidi overrides, zero-width
    /// spaces, soft hyphens) make a display name read as someone else's. The zero-width
    /// joiner and non-joiner stay allowed: some scripts spell names with them.
    public static func problem(_ value: String) -> String? {
        var ascii = true
        var control = false
        for byte in value.utf8 {
            control = control || byte < 0x20 || byte == 0x7F
            ascii = ascii && byte < 0x80
        }

        // C1 controls (NEL is U+0085) and the Unicode line and paragraph separators break
        // lines and logs as C0 controls do; only a value with a non-ASCII byte can hold them.
        if control || !ascii, let problem = controlProblem(value) {
            return problem
        }

        if !ascii, let hidden = value.unicodeScalars.first(where: isInvisibleFormatting) {
            return "holds the invisible formatting character \(codePoint(hidden))"
        }

        if value.count > longestValue {
            return "is \(value.count) characters long, more than the \(longestValue) idsync accepts"
        }
        return nil
    }

    /// "holds a control character (U+0085) at character 4", counting characters as a person
    /// does (the tab message counts the same way), or nil when the value holds none.
    private static func controlProblem(_ value: String) -> String? {
        for (offset, character) in value.enumerated() {
            guard let scalar = character.unicodeScalars.first(where: isControl) else { continue }
            return "holds a control character (\(codePoint(scalar))) at character \(offset + 1)"
        }
        return nil
    }

    /// C0 controls, DEL, C1 controls, and U+2028/U+2029 (line and paragraph separator).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }

    private static func isInvisibleFormatting(_ scalar: Unicode.Scalar) -> Bool {
        let joiners: ClosedRange<UInt32> = 0x200C...0x200D
        return scalar.properties.generalCategory == .format && !joiners.contains(scalar.value)
    }

    /// "U+202E": how Unicode names a code point, at least four hex digits.
    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

import Foundation

/// Folds personal names to ASCII, for login names and other identifiers that directories and
/// downstream systems (mail, EHR, badge readers) accept only in ASCII.
public enum Transliteration {
    /// Returns `s` with every character replaced by its ASCII form, or dropped if it has none.
    ///
    /// Case is kept: `Ø` becomes `O` and `ø` becomes `o`, so callers choose the case. Letters
    /// with combining marks lose the marks (`é` → `e`, `Å` → `A`), whether the input arrives
    /// precomposed (NFC) or already decomposed (NFD); ligatures, full-width and digraph letters
    /// become their plain letters (`ﬀ` → `ff`, `Ａ` → `A`, `Ǉ` → `LJ`). Letters that Unicode
    /// does not decompose
    /// come from a fixed table (`ß` → `ss`, `ł` → `l`, `æ` → `ae`, `þ` → `th`). Spaces,
    /// apostrophes and hyphens stay, in their ASCII forms, because templates decide what to do
    /// with them. Cyrillic and Greek letters take their Latin spelling from a table
    /// (`Transliteration+Scripts.swift`: ICAO Doc 9303 for Cyrillic, ISO 843 for Greek, both
    /// in ASCII). Scripts with no Latin spelling here (Han, Arabic, Hebrew) are dropped, so
    /// the result may be empty. Never throws, never fails.
    public static func ascii(_ s: String) -> String {
        // Most names are ASCII already, which NFD and folding leave as they are: a first load
        // of 100,000 people asks for 200,000 of them.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return s
        }

        var folded = String.UnicodeScalarView()
        var previous: Unicode.Scalar = " "
        var waiting: Unicode.Scalar?
        // Each scalar is folded once the next one is known: a Greek upsilon reads both.
        // Compatibility decomposition (NFKD): besides the marks it takes ligatures (ﬀ),
        // full-width letters (Ａ) and digraph letters (Ǆ, Ǉ) apart into plain ones.
        for next in s.decomposedStringWithCompatibilityMapping.unicodeScalars {
            if let scalar = waiting {
                folded.append(contentsOf: fold(scalar, after: previous, before: next))
                previous = scalar
            }
            waiting = next
        }
        if let scalar = waiting {
            folded.append(contentsOf: fold(scalar, after: previous, before: nil))
        }
        return String(folded)
    }

    /// The ASCII scalars standing for one scalar of NFD text: itself, a replacement, or none.
    private static func fold(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar,
                             before next: Unicode.Scalar?) -> [Unicode.Scalar] {
        if scalar.isASCII {
            return [scalar]
        }
        if let vowel = greekDiphthongU(scalar, after: previous, before: next) {
            return [vowel]
        }
        if let replacement = replacements[scalar] ?? scripts[scalar] {
            return Array(replacement.unicodeScalars)
        }
        if scalar.properties.isWhitespace {
            return [" "]
        }
        return []
    }

    /// Letters that NFD leaves whole, and punctuation that HR systems type in place of the
    /// ASCII apostrophe and hyphen (word processors turn O'Brien into O’Brien).
    private static let replacements: [Unicode.Scalar: String] = [
        "ß": "ss", "ẞ": "SS",
        "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L",
        "ı": "i",
        "đ": "d", "Đ": "D",
        "ð": "d", "Ð": "D",
        "æ": "ae", "Æ": "AE",
        "œ": "oe", "Œ": "OE",
        "þ": "th", "Þ": "TH",
        "ħ": "h", "Ħ": "H",
        "ŧ": "t", "Ŧ": "T",
        "\u{2018}": "'", "\u{2019}": "'", "\u{02BC}": "'", "\u{00B4}": "'",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-",
    ]
}

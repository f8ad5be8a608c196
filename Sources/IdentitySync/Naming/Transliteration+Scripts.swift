/// Latin spellings of the Cyrillic and Greek letters, in ASCII, for `Transliteration.ascii`.
///
/// Cyrillic follows the table of ICAO Doc 9303 (Machine Readable Travel Documents, part 3),
/// the spelling of the machine-readable zone of a passport: Ж zh, Х kh, Ц ts, Щ shch, Ю iu,
/// Я ia, Й and Ё as И and Е, Ь dropped. It is one table for every language written in
/// Cyrillic, in the values ICAO gives Russian; Ukrainian, Belarusian, Bulgarian, Serbian and
/// Macedonian passports differ in a few letters (Г h, Щ sht, Ъ a, Ч c), which this table
/// cannot tell apart without knowing the language.
///
/// Greek follows ISO 843 (transliteration), with its marked letters in plain ASCII (Η i,
/// Ω o) and the accents dropped: Θ th, Χ ch, Ψ ps, Β v, and αυ, ευ, ου as au, eu, ou.
///
/// Letters that NFD decomposes (Й, Ё, Ї, Ў, Ѓ, Ќ, Ά, Ώ …) are found through their base
/// letter, their marks dropped as for Latin letters.
extension Transliteration {
    /// Capital letters with their spelling; the small letters are made from them.
    private static let cyrillic: [(Character, String)] = [
        ("А", "A"), ("Б", "B"), ("В", "V"), ("Г", "G"), ("Ґ", "G"), ("Д", "D"), ("Ђ", "D"),
        ("Е", "E"), ("Є", "Ie"), ("Ж", "Zh"), ("З", "Z"), ("Ѕ", "Dz"), ("И", "I"), ("І", "I"),
        ("Ј", "J"), ("К", "K"), ("Л", "L"), ("Љ", "Lj"), ("М", "M"), ("Н", "N"), ("Њ", "Nj"),
        ("О", "O"), ("П", "P"), ("Р", "R"), ("С", "S"), ("Т", "T"), ("Ћ", "C"), ("У", "U"),
        ("Ф", "F"), ("Х", "Kh"), ("Ц", "Ts"), ("Ч", "Ch"), ("Џ", "Dz"), ("Ш", "Sh"),
        ("Щ", "Shch"), ("Ъ", "Ie"), ("Ы", "Y"), ("Ь", ""), ("Э", "E"), ("Ю", "Iu"), ("Я", "Ia"),
    ]

    private static let greek: [(Character, String)] = [
        ("Α", "A"), ("Β", "V"), ("Γ", "G"), ("Δ", "D"), ("Ε", "E"), ("Ζ", "Z"), ("Η", "I"),
        ("Θ", "Th"), ("Ι", "I"), ("Κ", "K"), ("Λ", "L"), ("Μ", "M"), ("Ν", "N"), ("Ξ", "X"),
        ("Ο", "O"), ("Π", "P"), ("Ρ", "R"), ("Σ", "S"), ("Τ", "T"), ("Υ", "Y"), ("Φ", "F"),
        ("Χ", "Ch"), ("Ψ", "Ps"), ("Ω", "O"),
    ]

    /// Both tables by scalar, capital and small letters, and the final sigma.
    static let scripts: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = ["ς": "s"]
        for (capital, latin) in cyrillic + greek {
            table[capital.unicodeScalars.first!] = latin
            table[capital.lowercased().unicodeScalars.first!] = latin.lowercased()
        }
        return table
    }()

    /// ISO 843 spells υ as u after α, ε or ο (αυ, ευ, ου), unless a diaeresis on it (ϋ)
    /// says the two are separate vowels; nil for any other scalar or neighbour.
    static func greekDiphthongU(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar,
                                before next: Unicode.Scalar?) -> Unicode.Scalar? {
        guard scalar == "υ" || scalar == "Υ", next != "\u{308}",
              "αεοΑΕΟ".unicodeScalars.contains(previous) else { return nil }
        return scalar == "υ" ? "u" : "U"
    }
}

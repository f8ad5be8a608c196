import Testing
@testable import IdentitySync

struct TransliterationTests {
    @Test(arguments: [
        ("José García", "Jose Garcia"),
        ("Zoë Ångström", "Zoe Angstrom"),
        ("Łukasz Żółć", "Lukasz Zolc"),
        ("Søren Ørsted", "Soren Orsted"),
        ("Straße", "Strasse"),
        ("Đorđe", "Dorde"),
        ("Yıldız", "Yildiz"),
        ("Jose\u{301}", "Jose"),
        ("Æsir Œuvre Þór Ðan", "AEsir OEuvre THor Dan"),
        ("O’Brien", "O'Brien"),
        ("Mary-Jane", "Mary-Jane"),
        ("王小明", ""),
        ("Ǆemal Ǉubić", "DZemal LJubic"),
        ("ＡＢＣ Ｆｕｌｌ", "ABC Full"),
        ("Gi\u{FB00}ord", "Gifford"),
    ])
    func foldsToASCIIKeepingCase(input: String, expected: String) {
        #expect(Transliteration.ascii(input) == expected)
    }

    @Test func precomposedAndDecomposedInputFoldAlike() {
        #expect(Transliteration.ascii("Zo\u{EB}") == Transliteration.ascii("Zoe\u{308}"))
        #expect(Transliteration.ascii("Й") == Transliteration.ascii("И\u{306}"))
        #expect(Transliteration.ascii("ώ") == Transliteration.ascii("ω\u{301}"))
    }

    /// Cyrillic by ICAO Doc 9303, as a Russian passport spells the name.
    @Test(arguments: [
        ("Дмитрий Иванов", "Dmitrii Ivanov"),
        ("Юлия Щербакова", "Iuliia Shcherbakova"),
        ("Жанна Хомякова", "Zhanna Khomiakova"),
        ("Фёдор Цветков", "Fedor Tsvetkov"),
        ("Наталья Кузьмина", "Natalia Kuzmina"),
        ("Олександр Шевченко", "Oleksandr Shevchenko"),
        ("Ольга Чайковська", "Olga Chaikovska"),
        ("Ђорђе Јовановић", "Dorde Jovanovic"),
        ("ЕКАТЕРИНА ЯКОВЛЕВА", "EKATERINA IaKOVLEVA"),
    ])
    func spellsCyrillicAsPassportsDo(input: String, expected: String) {
        #expect(Transliteration.ascii(input) == expected)
    }

    /// Greek by ISO 843 in ASCII: αυ, ευ, ου as au, eu, ou, unless a diaeresis parts them.
    @Test(arguments: [
        ("Γεώργιος Παπαδόπουλος", "Georgios Papadopoulos"),
        ("Ελένη Θεοδωρίδου", "Eleni Theodoridou"),
        ("Χρυσούλα Ψαρρά", "Chrysoula Psarra"),
        ("Ευάγγελος Ξανθόπουλος", "Euaggelos Xanthopoulos"),
        ("Μαΐου Ταΰγετος", "Maiou Taygetos"),
        ("ΑΙΚΑΤΕΡΙΝΗ ΟΙΚΟΝΟΜΟΥ", "AIKATERINI OIKONOMOU"),
    ])
    func spellsGreekByISO843(input: String, expected: String) {
        #expect(Transliteration.ascii(input) == expected)
    }
}

struct LoginNameCandidateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let first: String
        let last: String
        var preferred: String? = nil
        var template = "{first}{last}"
        let expected: String
        var testDescription: String { "\(first) \(last) via \(template)" }
    }

    @Test(arguments: [
        Case(first: "José", last: "García", expected: "josegarcia"),
        Case(first: "Zoë", last: "Ångström", expected: "zoeangstrom"),
        Case(first: "Łukasz", last: "Żółć", expected: "lukaszzolc"),
        Case(first: "Søren", last: "Ørsted", expected: "sorenorsted"),
        Case(first: "Anna", last: "Straße", expected: "annastrasse"),
        Case(first: "Đorđe", last: "Đoković", expected: "dordedokovic"),
        Case(first: "Yıldız", last: "Kaya", expected: "yildizkaya"),
        Case(first: "Rene\u{301}e", last: "Dupont", expected: "reneedupont"),
        Case(first: "Sean", last: "O'Brien", expected: "seanobrien"),
        Case(first: "Pieter", last: "van der Berg", expected: "pietervanderberg"),
        Case(first: "Mary-Jane", last: "Smith-Jones", template: "{first.1}{last}",
             expected: "msmithjones"),
        Case(first: "Mary-Jane", last: "Smith-Jones", template: "{first}.{last:keep-hyphen}",
             expected: "maryjane.smith-jones"),
        Case(first: "John", last: "Smith, Jr.", template: "{first.1}{last}", expected: "jsmithjr"),
        Case(first: "Robert", last: "Smith", preferred: "Bob", template: "{preferred}.{last}",
             expected: "bob.smith"),
        Case(first: "Robert", last: "Smith", preferred: "王", template: "{preferred}.{last}",
             expected: "robert.smith"),
        Case(first: "Maximilian", last: "Oberhausen-Wolfenbüttel", template: "{first}.{last}",
             expected: "maximilian.oberhause"),
        Case(first: "Anna", last: "Wolfenbüttelsteinbergerhausen", template: "{first}.{last}",
             expected: "anna.wolfenbuttelste"),
        Case(first: "王", last: "Smith", template: "{first}.{last}", expected: "smith"),
        Case(first: "Дмитрий", last: "Иванов", template: "{first.1}{last}", expected: "divanov"),
        Case(first: "Юлия", last: "Щербакова", template: "{first}.{last}",
             expected: "iuliia.shcherbakova"),
        Case(first: "Γεώργιος", last: "Παπαδόπουλος", template: "{first.1}{last}",
             expected: "gpapadopoulos"),
        Case(first: "Ana", last: "Лима-Ψαρρά", template: "{first.1}{last:keep-hyphen}",
             expected: "alima-psarra"),
        Case(first: "Ana", last: "Lima", template: "{first}..{last}--", expected: "ana.lima"),
        Case(first: "Ana", last: "Lima", template: "{last}{id}", expected: "limae4711"),
    ])
    func fillsTemplate(_ c: Case) {
        let generator = LoginNameGenerator(policy: LoginNamePolicy(template: c.template))
        let name = generator.candidate(firstName: c.first, lastName: c.last,
                                       preferredName: c.preferred, employeeID: "E-4711")
        #expect(name == c.expected)
    }

    @Test func nameWithoutLatinSpellingFallsBackToEmployeeID() {
        let generator = LoginNameGenerator(policy: LoginNamePolicy(template: "{first.1}{last}"))
        let name = generator.candidate(firstName: "小明", lastName: "王",
                                       preferredName: nil, employeeID: "E-4711")
        #expect(name == "ue4711")
    }

    @Test func resultNeverExceedsMaxLength() {
        let policy = LoginNamePolicy(template: "{first}{last}", maxLength: 8)
        let name = LoginNameGenerator(policy: policy).candidate(
            firstName: "Bartholomew", lastName: "Featherstonehaugh",
            preferredName: nil, employeeID: "1")
        #expect(name == "bartholo")
    }
}

struct LoginNameUniqueTests {
    let generator = LoginNameGenerator(policy: LoginNamePolicy(template: "{first.1}{last}"))

    @Test func freeCandidateIsKept() {
        #expect(generator.unique(candidate: "jsmith") { _ in false } == "jsmith")
    }

    @Test func collisionsCountUpFromTwo() {
        var taken: Set<String> = ["jsmith"]
        let second = generator.unique(candidate: "jsmith") { taken.contains($0) }
        taken.insert(second)
        let third = generator.unique(candidate: "jsmith") { taken.contains($0) }

        #expect(second == "jsmith2")
        #expect(third == "jsmith3")
    }

    @Test func suffixFitsWithinMaxLength() {
        let policy = LoginNamePolicy(template: "{last}", maxLength: 8)
        let generator = LoginNameGenerator(policy: policy)
        let taken = Set(["abcdefgh"] + (2...9).map { "abcdefg\($0)" })

        #expect(generator.unique(candidate: "abcdefgh") { taken.contains($0) } == "abcdef10")
    }

    @Test func aLoginKeepsALetterWhenTheNumberNeedsTheWholeLength() {
        let policy = LoginNamePolicy(template: "{first.1}{last}", maxLength: 2)
        let generator = LoginNameGenerator(policy: policy)
        let taken = Set(["js"] + (2...9).map { "j\($0)" })

        #expect(generator.unique(candidate: "jsmith") { taken.contains($0) } == "j10")
    }

    @Test func suffixNeverFollowsASeparator() {
        let policy = LoginNamePolicy(template: "{first}.{last}", maxLength: 5)
        let generator = LoginNameGenerator(policy: policy)

        #expect(generator.unique(candidate: "ann.l") { $0 == "ann.l" } == "ann2")
    }
}

struct LoginNamePolicyTests {
    @Test(arguments: ["{first}{last}", "{first.1}{last:keep-hyphen}", "{preferred}.{id}"])
    func acceptsKnownTokens(template: String) throws {
        try LoginNamePolicy(template: template).validate()
    }

    @Test(arguments: ["{frist}{last}", "{first.0}", "{last:keep}", "{first", "{first.x}"])
    func rejectsUnknownTokens(template: String) {
        #expect(throws: LoginNamePolicyError.self) {
            try LoginNamePolicy(template: template).validate()
        }
    }
}

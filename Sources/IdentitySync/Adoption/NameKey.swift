import Foundation

/// Names reduced to what survives hand entry: `René D'Arcy, Jr.`, `rene darcy jr` and
/// `RENE DARCY-JR` all become `renedarcyjr`.
enum NameKey {
    /// One way of writing a whole name, with where it came from.
    struct Spelling {
        let key: String
        /// The attribute or HR fields it was built from, and their values as written.
        let source: String
        let value: String
    }

    /// Transliterated to ASCII, lower-cased, letters and digits only.
    static func fold(_ text: String) -> String {
        // Most names are ASCII already: no Unicode decomposition for them.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                switch byte {
                case 0x61...0x7A, 0x30...0x39: bytes.append(byte)
                case 0x41...0x5A: bytes.append(byte + 0x20)
                default: continue
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let ascii = Transliteration.ascii(text).lowercased()
        return String(
            String.UnicodeScalarView(
                ascii.unicodeScalars.filter {
                    ("a"..."z").contains($0) || ("0"..."9").contains($0)
                }))
    }

    /// The person's name first-last and last-first, with the legal and the preferred first name.
    static func personKeys(_ person: Person) -> [Spelling] {
        var firsts = [("first_name", person.firstName)]
        if let preferred = person.preferredName, !preferred.isEmpty, preferred != person.firstName {
            firsts.append(("preferred_name", preferred))
        }
        var spellings: [Spelling] = []
        for (field, first) in firsts {
            spellings.append(
                Spelling(
                    key: fold(first + person.lastName), source: "\(field)+last_name",
                    value: "\(first) \(person.lastName)"))
            spellings.append(
                Spelling(
                    key: fold(person.lastName + first), source: "last_name+\(field)",
                    value: "\(person.lastName), \(first)"))
        }
        return spellings.filter { $0.key.count > 1 }
    }

    /// The account's whole names: givenName with sn, and each cn and displayName as written.
    static func accountKeys(_ account: ObservedAccount) -> [Spelling] {
        var spellings: [Spelling] = []
        let surnames = account.attributes["sn"] ?? []
        for given in account.attributes["givenname"] ?? [] {
            for surname in surnames {
                spellings.append(
                    Spelling(
                        key: fold(given + surname), source: "givenName+sn",
                        value: "\(given) \(surname)"))
            }
        }
        for attribute in ["cn", "displayName"] {
            for value in account.attributes[attribute.lowercased()] ?? [] {
                spellings.append(Spelling(key: fold(value), source: attribute, value: value))
            }
        }
        return spellings.filter { $0.key.count > 1 }
    }

    /// The first spelling of the account's name that equals one of the person's.
    static func evidence(_ hr: [Spelling], _ account: [Spelling]) -> (MatchEvidence, key: String)? {
        for spelling in account {
            guard let match = hr.first(where: { $0.key == spelling.key }) else { continue }
            return (MatchEvidence(
                attribute: spelling.source, accountValue: spelling.value,
                field: match.source, hrValue: match.value), spelling.key)
        }
        return nil
    }
}

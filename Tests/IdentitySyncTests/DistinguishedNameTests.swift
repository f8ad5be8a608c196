import Testing
@testable import IdentitySync

struct DistinguishedNameEscapingTests {
    @Test(arguments: [
        ("Smith, John", #"cn=Smith\, John"#),
        ("#hash", ##"cn=\#hash"##),
        ("a#b", "cn=a#b"),
        (" lead", #"cn=\ lead"#),
        ("trail ", #"cn=trail\ "#),
        ("a+b", #"cn=a\+b"#),
        ("a;b", #"cn=a\;b"#),
        ("<x>", #"cn=\<x\>"#),
        (#"say "hi""#, #"cn=say \"hi\""#),
        (#"back\slash"#, #"cn=back\\slash"#),
        ("nul\0byte", #"cn=nul\00byte"#),
        ("a=b", "cn=a=b"),
        ("Zoë", "cn=Zoë"),
        ("  two lead", #"cn=\  two lead"#),
        ("two trail  ", #"cn=two trail \ "#),
        (" ", #"cn=\ "#),
        ("", "cn="),
    ])
    func escapesValue(raw: String, expected: String) throws {
        let dn = DistinguishedName(rdns: [DistinguishedName.rdn("cn", raw)])
        let reparsed = try DistinguishedName(parsing: dn.string)

        #expect(dn.string == expected)
        #expect(reparsed.rdns == dn.rdns)
        #expect(reparsed == dn)
    }

    @Test func multiValuedRDNRoundTrips() throws {
        let dn = DistinguishedName(rdns: [
            DistinguishedName.rdn("cn", "Ann Lee") + DistinguishedName.rdn("employeeNumber", "42"),
            DistinguishedName.rdn("ou", "People"),
        ])

        #expect(dn.string == "cn=Ann Lee+employeeNumber=42,ou=People")
        #expect(try DistinguishedName(parsing: dn.string).rdns == dn.rdns)
    }
}

struct DistinguishedNameParsingTests {
    @Test func hexEscapesJoinIntoUTF8Character() throws {
        let dn = try DistinguishedName(parsing: #"cn=Zo\C3\AB,dc=example"#)
        #expect(dn.rdns[0][0].value == "Zoë")
    }

    @Test func spacesAroundSeparatorsAreIgnored() throws {
        let dn = try DistinguishedName(parsing: " uid = jdoe , ou=People + l=x ,dc=example ")

        #expect(dn.rdns.map { $0.map(\.type) } == [["uid"], ["ou", "l"], ["dc"]])
        #expect(dn.rdns.map { $0.map(\.value) } == [["jdoe"], ["People", "x"], ["example"]])
    }

    @Test func escapedTrailingSpaceIsKept() throws {
        let dn = try DistinguishedName(parsing: #"cn=trail\ ,dc=x"#)
        #expect(dn.rdns[0][0].value == "trail ")
    }

    @Test func emptyStringIsRootDN() throws {
        let root = try DistinguishedName(parsing: "")

        #expect(root.rdns.isEmpty)
        #expect(root.parent == nil)
    }

    @Test(arguments: [
        ("uid=bad,,dc=x", DNError.Code.emptyRDN),
        ("uid=bad,", .emptyRDN),
        (",dc=x", .emptyRDN),
        ("uid=a+,dc=x", .emptyRDN),
        ("uid,dc=x", .missingEquals),
        ("uid bad=x", .missingEquals),
        ("=x,dc=x", .badAttributeType),
        ("1uid=x", .badAttributeType),
        ("2.5..3=x", .badAttributeType),
        (#"cn=say "hi""#, .unescapedCharacter),
        ("cn=a;b", .unescapedCharacter),
        ("cn=<x>", .unescapedCharacter),
        (#"cn=abc\"#, .trailingBackslash),
        (#"cn=a\qb"#, .badEscape),
        (#"cn=a\4"#, .badEscape),
        (#"cn=\C3\28"#, .invalidUTF8),
        ("cn=#04024869", .hexValueUnsupported),
    ])
    func rejectsMalformedDN(text: String, code: DNError.Code) {
        #expect {
            try DistinguishedName(parsing: text)
        } throws: { error in
            (error as? DNError)?.code == code && (error as? DNError)?.dn == text
        }
    }

    @Test func errorNamesTextAndProblem() {
        let error = DNError(code: .emptyRDN, dn: "uid=bad,,dc=x", offset: 8)
        #expect(error.description == #"distinguished name "uid=bad,,dc=x" at byte 8: empty RDN"#)
    }

    @Test func numericOIDTypeIsAccepted() throws {
        let dn = try DistinguishedName(parsing: "2.5.4.3=Ann")
        #expect(dn.normalized == "cn=ann")
    }
}

struct DistinguishedNameComparisonTests {
    @Test func spellingsOfOneNameAreEqual() throws {
        let loose = try DistinguishedName(parsing: #"CN=Smith\2C John , OU=People,DC=Example"#)
        let tight = try DistinguishedName(parsing: #"cn=smith\, john,ou=people,dc=example"#)

        #expect(loose.normalized == #"cn=smith\, john,ou=people,dc=example"#)
        #expect(loose == tight)
        #expect(Set([loose, tight]).count == 1)
    }

    @Test func normalizedFormCollapsesWhitespaceAndSortsPairs() throws {
        let a = try DistinguishedName(parsing: "commonName=Ann   Lee+uid=AL,dc=x")
        let b = try DistinguishedName(parsing: "uid=al+cn=ann lee,dc=x")
        #expect(a == b)
    }

    @Test func precomposedAndDecomposedValuesAreEqual() {
        let nfc = DistinguishedName(rdns: [DistinguishedName.rdn("cn", "Zo\u{EB}")])
        let nfd = DistinguishedName(rdns: [DistinguishedName.rdn("cn", "Zoe\u{308}")])
        #expect(nfc == nfd)
    }

    @Test func childAndParentMoveOneLevel() throws {
        let people = try DistinguishedName(parsing: "ou=People,dc=example")
        let person = people.child("uid", "jdoe")

        #expect(person.string == "uid=jdoe,ou=People,dc=example")
        #expect(person.parent == people)
        #expect(people.parent?.parent?.rdns.isEmpty == true)
    }

    @Test func descendantIsStrictlyBelow() throws {
        let base = try DistinguishedName(parsing: "ou=People,dc=Example")
        let person = try DistinguishedName(parsing: "uid=jdoe,OU=people,dc=example")
        let other = try DistinguishedName(parsing: "uid=jdoe,ou=Groups,dc=example")
        let root = try DistinguishedName(parsing: "")

        #expect(person.isDescendant(of: base))
        #expect(person.isDescendant(of: root))
        #expect(!base.isDescendant(of: base))
        #expect(!base.isDescendant(of: person))
        #expect(!other.isDescendant(of: base))
    }
}

/// The shortcuts taken for the many plain DNs of a directory read give what the full
/// parser gives.
struct DistinguishedNameShortcutTests {
    static let samples = [
        "uid=jsmith,ou=people,dc=example,dc=org",
        "UID=JSmith,OU=People,DC=Example,DC=org",
        "uid=jsmith2,ou=contractors,ou=people,dc=example,dc=org",
        "cn=Smith\\, John,ou=people,dc=example,dc=org",
        "cn=Zoë,ou=people,dc=example,dc=org",
        "commonName=x,ou=people,dc=example,dc=org",
        "uid = spaced , ou=people,dc=example,dc=org",
        "cn=a+sn=b,ou=people,dc=example,dc=org",
        "dc=org",
    ]

    /// A DN built from its RDNs is the parsed one: same string, same normalized form, same
    /// parent, and it lies below that parent.
    @Test(arguments: samples)
    func stringFormsAgreeWithTheRDNs(_ text: String) throws {
        let parsed = try DistinguishedName(parsing: text)
        let built = DistinguishedName(rdns: parsed.rdns)
        #expect(built.normalized == parsed.normalized)
        #expect(try DistinguishedName(parsing: built.string) == parsed)
        let parent = try #require(parsed.parent)
        #expect(parent == DistinguishedName(rdns: Array(parsed.rdns.dropFirst())))
        #expect(parsed.isChild(of: parent))
        #expect(parent.child(parsed.rdns[0][0].type, parsed.rdns[0][0].value).isChild(of: parent))
        if let grandparent = parent.parent, !grandparent.string.isEmpty {
            #expect(parsed.isDescendant(of: grandparent))
            #expect(!parsed.isChild(of: grandparent))
        }
    }

    @Test func anEscapedCommaIsNoSeparator() throws {
        let dn = try DistinguishedName(parsing: "cn=Smith\\, John,ou=people,dc=example")
        #expect(dn.parent?.string == "ou=people,dc=example")
        #expect(dn.isChild(of: try DistinguishedName(parsing: "ou=people,dc=example")))
        let people = try DistinguishedName(parsing: "ou=people,dc=example")
        let oneRDN = try DistinguishedName(parsing: "cn=x\\,ou=people,dc=example")
        #expect(!oneRDN.isChild(of: people), "the comma is part of the value")
    }

    @Test(arguments: samples)
    func normalizeMatchesTheFullParse(_ text: String) throws {
        #expect(try DistinguishedName.normalize(text) == DistinguishedName(parsing: text).normalized)
    }
}

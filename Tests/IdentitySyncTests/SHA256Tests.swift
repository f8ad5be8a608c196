import Testing

@testable import IdentitySync

/// The example vectors of FIPS 180-4 (NIST's SHA256.pdf and SHA2_Additional.pdf).
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func digestMatchesTheStandardsVector(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test func aMillionLettersAMatchTheStandardsVector() {
        var hash = SHA256()
        let block = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<1000 { hash.update(block) }
        #expect(
            hash.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// 55, 56 and 64 bytes end right at, or just past, where the length must fit.
    @Test func messagesAtTheBlockEdgesHashLikeOneUpdate() {
        for count in [55, 56, 63, 64, 65, 119, 120] {
            let bytes = [UInt8](repeating: 0x5A, count: count)
            var split = SHA256()
            split.update(bytes.prefix(7))
            split.update(bytes.dropFirst(7))
            #expect(split.hexDigest() == SHA256.hex(bytes), "length \(count)")
        }
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 56))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    /// Contiguous bytes are hashed in place, other sequences byte by byte: the same digest
    /// wherever the updates split the message.
    @Test func contiguousAndOtherSequencesHashAlikeAtEverySplit() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = SHA256.hex(bytes)
        for split in [0, 1, 63, 64, 65, 127, 128, 200, 299, 300] {
            var contiguous = SHA256()
            contiguous.update(bytes[..<split])
            contiguous.update(bytes[split...])
            var sequence = SHA256()
            sequence.update(AnySequence(bytes[..<split]))
            sequence.update(bytes[split...])
            #expect(contiguous.hexDigest() == whole, "split \(split)")
            #expect(sequence.hexDigest() == whole, "split \(split)")
        }
    }
}

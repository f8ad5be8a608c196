import Testing

@testable import Connectors

@Suite struct HMACSHA1Tests {
    /// RFC 2202, test cases 1, 2 and 6 (a key longer than the block).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ([UInt8](repeating: 0xaa, count: 80), "Test Using Larger Than Block-Size Key - Hash Key First",
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
    ])
    func macMatchesRFC2202(key: [UInt8], message: String, expected: String) {
        #expect(HMACSHA1.hex(key: key, message: Array(message.utf8)) == expected)
    }

    @Test func sha1OfTheEmptyMessage() {
        let digest = HMACSHA1.sha1([]).map { String(format: "%02x", $0) }.joined()
        #expect(digest == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }
}

import Foundation
import Testing

@testable import IdentitySync

/// What an authenticator is worth is decided here, not by each connector.
@Suite struct AuthenticatorStateTests {
    @Test func aRevokedAuthenticatorIsNotUsableWhateverTheConnectorSays() {
        let key = Authenticator(id: "WAN0001", type: "webauthn", kind: .webauthn, usable: true,
                                revoked: true)

        let user = MFAUserState(exists: true, authenticators: [key])

        #expect(!key.usable)
        #expect(!user.hasPhishingResistantFactor)
        #expect(!user.hasUsableFactor)
        #expect(key.label == "WAN0001 (webauthn, revoked)")
    }

    @Test func aSavedRevokedAuthenticatorStaysUnusable() throws {
        let saved = #"{"id":"WAN0001","type":"webauthn","kind":"webauthn","usable":true,"revoked":true}"#

        let key = try JSONDecoder().decode(Authenticator.self, from: Data(saved.utf8))

        #expect(!key.usable)
        #expect(key.revoked)
    }
}

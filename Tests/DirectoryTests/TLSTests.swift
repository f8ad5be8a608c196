import Foundation
import LDAP
import Testing

private let opensslInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

@Suite(.enabled(if: opensslInstalled, "needs openssl to make a throwaway CA"))
struct TLSTests {
    @Test func ldapsWithTheThrowawayCAVerifiesAndBinds() throws {
        let slapd = try TestSlapd(tls: true)
        let url = try #require(slapd.ldapsURL)

        let connection = try LDAPConnection(url: url, tls: TLSOptions(caFile: slapd.caFile))
        try connection.bind(dn: slapd.serviceDN, password: slapd.servicePassword)

        #expect(try connection.whoAmI() == "dn:\(slapd.serviceDN)")
    }

    @Test func startTLSWithTheThrowawayCAVerifies() throws {
        let slapd = try TestSlapd(tls: true)

        let tls = TLSOptions(caFile: slapd.caFile, startTLS: true)
        let connection = try LDAPConnection(url: slapd.url, tls: tls)
        try connection.bind(dn: slapd.readerDN, password: slapd.readerPassword)

        #expect(try connection.whoAmI() == "dn:\(slapd.readerDN)")
    }

    @Test func ldapsWithoutTheCAFailsWithOurTLSWording() throws {
        let slapd = try TestSlapd(tls: true)
        let url = try #require(slapd.ldapsURL)
        let otherCA = "/etc/ssl/certs/ca-certificates.crt"

        let error = try #require(throws: LDAPError.self) {
            _ = try LDAPConnection(url: url, tls: TLSOptions(caFile: otherCA))
        }

        #expect(error.isTLSFailure && !error.isTransient)
        #expect(error.message.contains("TLS verification/handshake failed against \(url)"))
        #expect(error.message.contains("CA file \(otherCA)"))
    }

    @Test func startTLSWithoutTheCAFailsWithOurTLSWording() throws {
        let slapd = try TestSlapd(tls: true)

        let error = try #require(throws: LDAPError.self) {
            _ = try LDAPConnection(url: slapd.url, tls: TLSOptions(startTLS: true))
        }

        #expect(error.operation == "starttls")
        #expect(error.message.contains("TLS verification/handshake failed against \(slapd.url)"))
    }
}

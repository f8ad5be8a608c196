import Foundation
@testable import HTTP
import Testing

@Suite struct EndpointTests {
    @Test(arguments: ["http://127.0.0.1:8081/v2", "http://localhost/x", "http://[::1]:5001/auth",
                      "https://hr.example.org/scim/v2"])
    func allowedWithoutSayingSo(url: String) {
        #expect(HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: false) == nil)
    }

    @Test func plainHTTPToAnotherHostNeedsTheSiteToSaySo() throws {
        let url = "http://hr.example.org/scim/v2"

        let problem = try #require(HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: false))

        #expect(problem.contains("allow_plaintext"))
        #expect(HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: true) == nil)
    }

    @Test func aHostThatOnlyLooksLikeLoopbackIsNotLoopback() {
        let url = "http://127.0.0.1@hr.example.org/"
        #expect(HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: false) != nil)
    }

    /// A name that starts like a loopback address is any host its owner points it at.
    @Test(arguments: ["http://127.0.0.1.nip.io/auth", "http://127.0.0.1.evil.example:5001/",
                      "http://127.0.0.256/", "http://127.1/", "http://127.+0.0.1/",
                      "http://localhost.evil.example/"])
    func onlyALoopbackLiteralCountsAsLoopback(url: String) {
        #expect(HTTPEndpoint.plaintextProblem(url: url, allowPlaintext: false) != nil)
    }

    @Test func anyAddressIn127Slash8IsLoopback() {
        #expect(HTTPEndpoint.plaintextProblem(url: "http://127.45.0.9:80/", allowPlaintext: false) == nil)
        #expect(HTTPEndpoint.plaintextProblem(url: "http://LOCALHOST/", allowPlaintext: false) == nil)
    }

    @Test func otherSchemesAreRefused() {
        #expect(HTTPEndpoint.plaintextProblem(url: "ftp://127.0.0.1/", allowPlaintext: true) != nil)
    }

    @Test func displayedURLsDropUserInfoAndQuery() {
        let url = "https://svc:hunter2@api.example.org:8443/v1/users?apiKey=abc#frag"
        #expect(HTTPEndpoint.displayed(url) == "https://api.example.org:8443/v1/users")
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() throws {
        #expect(RetryAfter.seconds("7") == 7)
        #expect(RetryAfter.seconds("soon") == nil)
        #expect(RetryAfter.seconds("-3") == nil)

        let now = try #require(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:40:00 GMT", now: now) == 0)
    }
}

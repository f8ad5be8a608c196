import Foundation
import HTTP
import IdentitySync

/// Okta's management API with an API token (`Authorization: SSWS <token>`).
///
/// Users are found by login (`GET /api/v1/users/{login}`) or by employee number
/// (`search=profile.employeeNumber eq "…"`). A factor cannot be revoked short of deleting
/// it, so a leaver's factors are deleted; sessions end with `DELETE …/sessions`.
public final class OktaConnector: MFAConnector {
    public let traits: MFAConnectorTraits
    let http: VendorClient
    private let token: String
    private let findByEmployeeID: Bool
    /// Okta user ids found this run, so that acting on a user does not look them up again.
    private var ids: [MFASubject: String] = [:]

    public var requestCount: Int { http.requestCount }

    init(_ settings: MFAConnectorSettings, environment: [String: String]) throws {
        http = VendorClient(connector: settings.name, base: try MFASecrets.baseURL(settings),
                            options: MFASecrets.options(settings))
        token = try MFASecrets.read(settings, "token", environment: environment)
        findByEmployeeID = try MFAFindBy.read(settings, allowed: ["login", "employee-id"]) == "employee-id"
        traits = MFAConnectorTraits(name: settings.name, revokesSessions: true, ensuresUsers: false,
                                    leaverPolicy: .delete)
    }

    public func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            results[subject] = Result { () throws(MFAFailure) in try state(of: subject) }
        }
        return results
    }

    public func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        guard let id = try userID(subject) else {
            if case .revokeAuthenticators = action { return [] }
            throw http.failure("no Okta user for \(subject.login)")
        }
        switch action {
        case .revokeAuthenticators:
            for factor in try factors(id) {
                try expect([204], try request("DELETE", "/api/v1/users/\(id)/factors/\(urlEncoded(factor.id))"),
                           "deleting factor \(factor.id) of \(subject.login)")
            }
            return try factors(id)
        case .unassignAuthenticators:
            throw http.failure("Okta cannot unassign an authenticator from its user")
        case .revokeSessions:
            try expect([204], try request("DELETE", "/api/v1/users/\(id)/sessions"),
                       "clearing the sessions of \(subject.login)")
            return nil
        case .ensureUser:
            throw http.failure("idsync does not create Okta users")
        }
    }

    // MARK: Re-verification

    /// The latest successful MFA verification of the user since `since`, from the System Log
    /// (`GET /api/v1/logs`, which an API token reads as its admin may and an OAuth app reads
    /// with `okta.logs.read`): the event `user.authentication.auth_via_mfa` with the user as
    /// actor and the outcome `SUCCESS`. A bounded query (since and until) sorted newest first,
    /// so that one event answers.
    public func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        let now = Date()
        // A demand dated ahead of this clock (a skewed host) has nothing after it yet.
        guard since < now else { return .notSince }
        guard let id = try userID(subject) else { return .notSince }
        let filter = "eventType eq \"user.authentication.auth_via_mfa\" and actor.id eq \"\(id)\""
            + " and outcome.result eq \"SUCCESS\""
        // Okta keeps 90 days; asking from further back would find nothing older anyway.
        let oldest = Date().addingTimeInterval(-89 * 24 * 3600)
        let query = "since=\(urlEncoded(OktaConnector.instant(max(since, oldest))))"
            + "&until=\(urlEncoded(OktaConnector.instant(now)))"
            + "&filter=\(urlEncoded(filter))&sortOrder=DESCENDING&limit=1"
        let response = try request("GET", "/api/v1/logs?" + query)
        try expect([200], response, "reading the System Log of \(subject.login)")
        guard let events = try http.json(response, "GET /api/v1/logs") as? [Any] else {
            throw http.failure("GET /api/v1/logs: the answer is not a JSON array")
        }
        guard let event = events.compactMap(JSONObject.init).first else { return .notSince }
        let factor = event.object("debugContext")?.object("debugData")?.string("factor")
            .map { " with \($0)" } ?? ""
        let when = event.string("published") ?? "an unrecorded time"
        let uuid = event.string("uuid").map { " (event \($0))" } ?? ""
        return .verified(evidence: "Okta MFA verification\(factor) at \(when)\(uuid)")
    }

    /// Okta's dates: ISO 8601 in UTC with milliseconds, rounded up so that the window never
    /// starts before the demand.
    static func instant(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.up)
        let rounded = Date(timeIntervalSince1970: milliseconds / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: rounded)
    }

    private func state(of subject: MFASubject) throws(MFAFailure) -> MFAUserState {
        guard let id = try userID(subject) else { return MFAUserState(exists: false, authenticators: []) }
        return MFAUserState(exists: true, authenticators: try factors(id))
    }

    /// The Okta id, or nil when Okta has no such user (a 404, or an empty search).
    private func userID(_ subject: MFASubject) throws(MFAFailure) -> String? {
        if let known = ids[subject] { return known }
        let found: String?
        if findByEmployeeID {
            let search = urlEncoded("profile.employeeNumber eq \"\(subject.employeeID)\"")
            let users = try pages("/api/v1/users?search=\(search)", "GET /api/v1/users",
                                  "searching the user with employee number \(subject.employeeID)")
            guard users.count <= 1 else {
                throw http.failure("\(users.count) Okta users have employee number \(subject.employeeID)")
            }
            found = users.first?.string("id")
        } else {
            let response = try request("GET", "/api/v1/users/\(urlEncoded(subject.login))")
            if response.status == 404 { return nil }
            try expect([200], response, "reading the user \(subject.login)")
            found = JSONObject(try http.json(response, "GET /api/v1/users/{login}"))?.string("id")
        }
        ids[subject] = found
        return found
    }

    private func factors(_ id: String) throws(MFAFailure) -> [Authenticator] {
        let list = try pages("/api/v1/users/\(id)/factors", "GET factors",
                             "listing the factors of user \(id)")
        return list.compactMap { factor in
            guard let factorID = factor.string("id") else { return nil }
            let type = factor.string("factorType") ?? "unknown"
            return Authenticator(id: factorID, type: type, kind: OktaConnector.kind(of: type),
                                 usable: factor.string("status") == "ACTIVE")
        }
    }

    /// Okta's factor types. FastPass (`signed_nonce`) is left out of the phishing-resistant
    /// kinds on purpose: only WebAuthn/FIDO2, passkeys and certificates count here.
    static func kind(of type: String) -> AuthenticatorKind {
        switch type {
        case "webauthn", "u2f": return .webauthn
        case "token:software:totp", "token:totp": return .totp
        case "token:hotp", "token:hardware", "token": return .hotp
        case "push": return .push
        case "sms": return .sms
        case "call": return .voice
        case "email": return .email
        default: return .other
        }
    }

    /// Every item of a listing, page after page by the Link header.
    private func pages(_ path: String, _ call: String,
                       _ what: String) throws(MFAFailure) -> [JSONObject] {
        try http.pagedJSON(http.base + path, links: .linkHeader,
                           call: call) { url throws(MFAFailure) in
            let response = try send("GET", url)
            try expect([200], response, what)
            return response
        }
    }

    private func request(_ method: String, _ path: String) throws(MFAFailure) -> HTTPResponse {
        try send(method, http.base + path)
    }

    private func send(_ method: String, _ url: String) throws(MFAFailure) -> HTTPResponse {
        try http.send(HTTPRequest(method: method, url: url,
                                  headers: [(name: "Authorization", value: "SSWS \(token)"),
                                            (name: "Accept", value: "application/json")]))
    }

    private func expect(_ statuses: Set<Int>, _ response: HTTPResponse, _ what: String) throws(MFAFailure) {
        guard !statuses.contains(response.status) else { return }
        let error = JSONObject(try? JSONSerialization.jsonObject(with: Data(response.body)))
        let code = error?.string("errorCode").map { " \($0)" } ?? ""
        throw http.failure("\(what): HTTP \(response.status)\(code) \(error?.string("errorSummary") ?? "")")
    }
}

/// The `find_by` setting of the connectors that look users up by a choice of keys.
enum MFAFindBy {
    static func read(_ settings: MFAConnectorSettings, allowed: [String]) throws -> String {
        let value = settings.value("find_by") ?? allowed[0]
        guard allowed.contains(value) else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): find_by must be "
                                + "\(allowed.joined(separator: " or ")), found '\(value)'")
        }
        return value
    }
}

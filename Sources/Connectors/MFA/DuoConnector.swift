import Foundation
import HTTP
import IdentitySync

/// Duo's Admin API. Every request is signed: HTTP Basic with the integration key as user and,
/// as password, the hex HMAC-SHA1 under the secret key of the canonical request (the Date
/// header, method, host, path and sorted, encoded parameters, one per line).
///
/// A user's phones, hardware tokens and WebAuthn credentials come with the user object; a
/// leaver's are taken off the user (phones and tokens) or deleted (WebAuthn). The Admin API has
/// no session revocation. With many subjects the whole user list is read, paged, instead.
public final class DuoConnector: MFAConnector {
    public let traits: MFAConnectorTraits
    let http: VendorClient
    private let integrationKey: String
    private let secretKey: String
    private let host: String
    /// From this many subjects on, one paged listing of every user beats a call per person.
    private let bulkThreshold: Int
    private var users: [String: (id: String, factors: [Authenticator])] = [:]

    public var requestCount: Int { http.requestCount }

    init(_ settings: MFAConnectorSettings, environment: [String: String]) throws {
        let base = try MFASecrets.baseURL(settings)
        http = VendorClient(connector: settings.name, base: base, options: MFASecrets.options(settings))
        integrationKey = try settings.require("integration_key")
        secretKey = try MFASecrets.read(settings, "secret_key", environment: environment)
        host = String(base.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }).lowercased()
        bulkThreshold = Int(settings.value("bulk_threshold") ?? "") ?? 50
        traits = MFAConnectorTraits(name: settings.name, revokesSessions: false, ensuresUsers: false,
                                    leaverPolicy: .delete,
                                    listsInBulk: try MFASecrets.listsInBulk(settings))
    }

    public func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        if subjects.count >= bulkThreshold {
            do {
                try listEveryUser()
                for subject in subjects {
                    let user = users[subject.login]
                    results[subject] = .success(MFAUserState(exists: user != nil, authenticators: user?.factors ?? []))
                }
            } catch {
                for subject in subjects { results[subject] = .failure(error) }
            }
            return results
        }
        for subject in subjects {
            results[subject] = Result { () throws(MFAFailure) in
                guard let user = try lookUp(subject.login) else { return MFAUserState(exists: false, authenticators: []) }
                return MFAUserState(exists: true, authenticators: user.factors)
            }
        }
        return results
    }

    /// Every user's factors from the paged user list (read once a run), by username.
    public func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]] {
        if users.isEmpty { try listEveryUser() }
        var owners: [MFAOwner: [Authenticator]] = [:]
        for (name, user) in users where !user.factors.isEmpty {
            owners[.login(of: name), default: []] += user.factors.filter(\.usable)
        }
        return owners
    }

    public func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        guard case .revokeAuthenticators = action else {
            let verb = action == .revokeSessions ? "revoke sessions"
                : action == .unassignAuthenticators ? "unassign tokens" : "create users"
            throw http.failure("Duo's Admin API cannot \(verb)")
        }
        guard let user = try lookUp(subject.login) else { return [] }
        for factor in user.factors {
            let path: String
            switch factor.type {
            case "webauthn": path = "/admin/v1/webauthncredentials/\(urlEncoded(factor.id))"
            case "phone": path = "/admin/v1/users/\(user.id)/phones/\(urlEncoded(factor.id))"
            default: path = "/admin/v1/users/\(user.id)/tokens/\(urlEncoded(factor.id))"
            }
            _ = try call("DELETE", path, [], "removing \(factor.label) of \(subject.login)")
        }
        return try lookUp(subject.login)?.factors ?? []
    }

    // MARK: Re-verification

    /// The latest successful Duo authentication of the user since `since`, from the v2
    /// authentication log (`GET /admin/v2/logs/authentication`, which needs the Admin API's
    /// "Grant read log" permission). Duo serves the last 180 days, and an authentication
    /// about two minutes after it happened; a later run sees a newer one.
    public func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        let now = Date()
        // A demand dated ahead of this clock (a skewed host) has nothing after it yet, and
        // Duo refuses a mintime that is not before maxtime.
        guard since < now else { return .notSince }
        guard let user = try lookUp(subject.login) else { return .notSince }
        // Duo refuses a mintime older than its 180 days; nothing older can be found anyway.
        let oldest = now.addingTimeInterval(-179 * 24 * 3600)
        var parameters = [("mintime", DuoConnector.milliseconds(max(since, oldest))),
                          ("maxtime", DuoConnector.milliseconds(now)), ("users", user.id),
                          ("results", "success"), ("event_types", "authentication"),
                          ("sort", "ts:desc"), ("limit", "100")]
        var read: Set<String> = []
        while true {
            let page = try call("GET", "/admin/v2/logs/authentication", parameters,
                                "reading the authentication log of \(subject.login)")
            guard let body = JSONObject(page.response) else {
                throw http.failure("GET /admin/v2/logs/authentication gave no authlogs")
            }
            if let entry = body.objects("authlogs").first(where: DuoConnector.isVerification) {
                return .verified(evidence: DuoConnector.evidence(entry))
            }
            // The next page starts after a (milliseconds, txid) pair, sent back comma-joined.
            let next = (body.object("metadata")?["next_offset"] as? [Any])?
                .compactMap { ($0 as? String) ?? ($0 as? NSNumber)?.stringValue } ?? []
            guard next.count == 2 else { return .notSince }
            let offset = next.joined(separator: ",")
            guard read.insert(offset).inserted else {
                throw http.failure("the authentication log offered the offset \(offset) twice")
            }
            parameters.removeAll { $0.0 == "next_offset" }
            parameters.append(("next_offset", offset))
        }
    }

    /// A success Duo let through without asking for a factor is no re-verification: an
    /// unenrolled or bypass user, a remembered device, a trusted network.
    static func isVerification(_ entry: JSONObject) -> Bool {
        let unverified: Set<String> = ["allow_unenrolled_user", "bypass_user", "remembered_device",
                                       "trusted_network", "trusted_location", "allowed_by_policy"]
        guard entry.string("result") == "success" else { return false }
        return !unverified.contains(entry.string("reason") ?? "")
            && !unverified.contains(entry.string("factor") ?? "")
    }

    static func evidence(_ entry: JSONObject) -> String {
        let when = entry.string("isotimestamp") ?? entry.int("timestamp").map {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0)))
        } ?? "an unrecorded time"
        let factor = entry.string("factor") ?? "a factor"
        let txid = entry.string("txid").map { " (txid \($0))" } ?? ""
        return "Duo authentication with \(factor) at \(when)\(txid)"
    }

    /// Rounded up, so that a window never starts before the demand.
    static func milliseconds(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1000).rounded(.up)))
    }

    // MARK: Users

    private func lookUp(_ login: String) throws(MFAFailure) -> (id: String, factors: [Authenticator])? {
        let value = try call("GET", "/admin/v1/users", [("username", login)], "reading the user \(login)")
        guard let user = (value.response as? [Any])?.compactMap(JSONObject.init).first else { return nil }
        return DuoConnector.parse(user)
    }

    private func listEveryUser() throws(MFAFailure) {
        var offset = 0
        while true {
            let page = try call("GET", "/admin/v1/users", [("limit", "300"), ("offset", "\(offset)")],
                                "listing users from offset \(offset)")
            for user in (page.response as? [Any] ?? []).compactMap(JSONObject.init) {
                guard let parsed = DuoConnector.parse(user), let name = user.string("username") else { continue }
                users[name] = parsed
            }
            guard let next = page.metadata?.int("next_offset"), next > offset else { return }
            offset = next
        }
    }

    static func parse(_ user: JSONObject) -> (id: String, factors: [Authenticator])? {
        guard let id = user.string("user_id") else { return nil }
        var factors: [Authenticator] = []
        for phone in user.objects("phones") {
            guard let phoneID = phone.string("phone_id") else { continue }
            factors.append(Authenticator(id: phoneID, type: "phone", kind: .push, usable: phone.bool("activated") ?? true))
        }
        for token in user.objects("tokens") {
            guard let tokenID = token.string("token_id") else { continue }
            let type = token.string("type") ?? "token"
            factors.append(Authenticator(id: tokenID, type: type, kind: type == "t6" ? .totp : .hotp, usable: true))
        }
        for key in user.objects("webauthncredentials") {
            guard let keyID = key.string("webauthnkey") else { continue }
            factors.append(Authenticator(id: keyID, type: "webauthn", kind: .webauthn, usable: true))
        }
        return (id, factors)
    }

    // MARK: Signed requests

    private func call(_ method: String, _ path: String, _ parameters: [(String, String)],
                      _ what: String) throws(MFAFailure) -> (response: Any?, metadata: JSONObject?) {
        let query = DuoConnector.canonicalParameters(parameters)
        let date = DuoConnector.rfc2822(Date())
        let canonical = [date, method, host, path, query].joined(separator: "\n")
        let signature = HMACSHA1.hex(key: Array(secretKey.utf8), message: Array(canonical.utf8))
        let basic = Data("\(integrationKey):\(signature)".utf8).base64EncodedString()
        let url = http.base + path + (query.isEmpty ? "" : "?" + query)
        let response = try http.send(HTTPRequest(method: method, url: url,
                                                 headers: [(name: "Date", value: date),
                                                           (name: "Authorization", value: "Basic \(basic)")]))
        let body = JSONObject(try? JSONSerialization.jsonObject(with: Data(response.body)))
        guard response.status == 200, body?.string("stat") == "OK" else {
            let code = body?.string("code").map { " code \($0)" } ?? ""
            throw http.failure("\(what): HTTP \(response.status)\(code) \(body?.string("message") ?? "")")
        }
        return (body?["response"], body?.object("metadata"))
    }

    /// Parameters sorted by name, each name and value percent-encoded (RFC 3986), joined by &.
    static func canonicalParameters(_ parameters: [(String, String)]) -> String {
        parameters.sorted { $0.0 < $1.0 }.map { "\(urlEncoded($0.0))=\(urlEncoded($0.1))" }.joined(separator: "&")
    }

    static func rfc2822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '-0000'"
        return formatter.string(from: date)
    }
}

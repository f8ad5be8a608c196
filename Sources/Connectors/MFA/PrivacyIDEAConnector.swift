import Foundation
import HTTP
import IdentitySync

/// privacyIDEA (3.x) through its REST API, as an admin.
///
/// Every run authenticates afresh (`POST /auth`, a JWT valid for an hour) and again once on
/// a 401. The JWT goes in `Authorization` as it is: privacyIDEA refuses `Bearer <jwt>`.
/// Per-user bulk calls do not work in 3.14 (revoke by user answers "more than one matching
/// token"), so a user's tokens are listed and then changed serial by serial.
public final class PrivacyIDEAConnector: MFAConnector {
    public let traits: MFAConnectorTraits
    let base: String
    let adminUser: String
    let realm: String
    /// The resolver whose user ids find the tokens of a user the resolver no longer shows.
    let resolver: String?
    let userID: UserIDSource?
    /// Tokens per page of the bulk listing: privacyIDEA caps it at 1000.
    let bulkPageSize: Int
    private let password: String
    private let client: HTTPClient
    private var jwt: String?
    /// Requests sent, for the benchmark's calls per leaver.
    public private(set) var requestCount = 0

    /// Which of the subject's keys is the resolver's user id (an LDAP resolver's UIDTYPE).
    enum UserIDSource: String {
        case login
        case employeeID = "employee-id"
        case dn
    }

    init(_ settings: MFAConnectorSettings, environment: [String: String]) throws {
        base = try MFASecrets.baseURL(settings)
        adminUser = settings.value("admin_user") ?? "admin"
        realm = try settings.require("realm")
        resolver = settings.value("resolver")
        if let text = settings.value("user_id") {
            guard let source = UserIDSource(rawValue: text) else {
                throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): user_id must be "
                                    + "login, employee-id or dn, found '\(text)'")
            }
            guard resolver != nil else {
                throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): user_id needs resolver")
            }
            userID = source
        } else {
            userID = nil
        }
        bulkPageSize = try PrivacyIDEAConnector.pageSize(settings)
        password = try MFASecrets.read(settings, "password", environment: environment)
        client = HTTPClient(options: MFASecrets.options(settings))
        traits = MFAConnectorTraits(name: settings.name, revokesSessions: false,
                                    ensuresUsers: settings.value("create_users") == "true",
                                    leaverPolicy: try MFASecrets.leaverPolicy(settings,
                                                                              unassigns: true),
                                    listsInBulk: try MFASecrets.listsInBulk(settings),
                                    resetsFailCounters: true)
    }

    // MARK: MFAConnector

    public func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            results[subject] = Result { () throws(MFAFailure) in try userState(subject) }
        }
        return results
    }

    /// Every active token assigned in the realm, `bulk_page_size` a page (1000 by default,
    /// privacyIDEA's cap), by owner: the resolver's user id where the config names it (found
    /// also for a user the resolver no longer shows), else the login.
    public func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]] {
        let query = "tokenrealm=\(urlEncoded(realm))&assigned=True&active=True&sortby=serial"
        var owners: [MFAOwner: [Authenticator]] = [:]
        for token in try listing(query, what: "every token of realm \(realm)", pageSize: bulkPageSize) {
            guard let owner = owner(of: token), let found = PrivacyIDEAConnector.authenticator(token) else { continue }
            owners[owner, default: []].append(found)
        }
        return owners
    }

    private static func pageSize(_ settings: MFAConnectorSettings) throws -> Int {
        guard let text = settings.value("bulk_page_size") else { return 1000 }
        guard let size = Int(text), (1...1000).contains(size) else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): bulk_page_size must be "
                                + "a whole number from 1 to 1000 (privacyIDEA's cap), found '\(text)'")
        }
        return size
    }

    private func owner(of token: JSONObject) -> MFAOwner? {
        let resolverMatches = token.string("resolver")?.lowercased() == resolver?.lowercased()
        if let userID, resolverMatches, let id = token.string("user_id"), !id.isEmpty {
            switch userID {
            case .login: return .login(of: id)
            case .employeeID: return .employeeID(of: id)
            case .dn: return .dn(of: id)
            }
        }
        guard let login = token.string("username"), !login.isEmpty else { return nil }
        return .login(of: login)
    }

    public func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        switch action {
        case .revokeAuthenticators(let delete):
            return try revokeAll(subject, delete: delete)
        case .unassignAuthenticators:
            return try unassignAll(subject)
        case .revokeSessions:
            throw failure("privacyIDEA keeps no sign-in sessions to revoke")
        case .ensureUser(let givenName, let surname):
            try ensureUser(subject, givenName: givenName, surname: surname)
            return nil
        }
    }

    // MARK: Re-verification

    /// The latest accepted authentication of the user in the realm since `since`, from the
    /// audit log (`GET /audit/`, which needs the admin policy action `auditlog` where admin
    /// policies exist). `timelimit` is relative to privacyIDEA's own clock, whose dates are
    /// local and zoneless, so the window is sent as seconds ago rather than as a date.
    public func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        // Whole seconds, rounded down: the window never reaches back before the demand.
        let seconds = max(1, Int(Date().timeIntervalSince(since).rounded(.down)))
        // /validate/check, and its SAML and RADIUS forms, are where a user proves a factor.
        let query = "action=\(urlEncoded("*/validate/*check"))&user=\(urlEncoded(subject.login))"
            + "&realm=\(urlEncoded(realm))&success=1&authentication=ACCEPT&timelimit=\(seconds)s"
            + "&sortorder=desc&page_size=1"
        let page: JSONObject
        do {
            guard let object = JSONObject(try call("GET", "/audit/?" + query)) else {
                throw failure("GET /audit/ gave no audit page")
            }
            page = object
        } catch let error as MFAFailure {
            throw error
        } catch {
            throw failure("reading the audit log for \(subject.login): \(error)")
        }
        guard let entry = page.objects("auditdata").first else { return .notSince }
        let type = entry.string("token_type") ?? "token"
        let token = entry.string("serial").map { " with \($0) (\(type))" } ?? ""
        let date = entry.string("date") ?? "an unrecorded time"
        return .verified(evidence: "accepted \(entry.string("action") ?? "validation")\(token) "
                             + "at \(date) (privacyIDEA's clock)")
    }

    // MARK: Tokens

    /// The user's tokens: by the resolver's user id where the config names it, which finds
    /// them also when the resolver no longer shows the user (a locked leaver), else by login
    /// in the realm. "Unknown user" is never taken for "no tokens".
    func userState(_ subject: MFASubject) throws(MFAFailure) -> MFAUserState {
        let objects = try tokenObjects(subject)
        let found = objects.compactMap(PrivacyIDEAConnector.authenticator)
        return MFAUserState(exists: userIDValue(subject) == nil || !found.isEmpty, authenticators: found)
    }

    /// The user's tokens as privacyIDEA lists them, found as `userState` says.
    private func tokenObjects(_ subject: MFASubject) throws(MFAFailure) -> [JSONObject] {
        if let resolver, let id = userIDValue(subject) {
            let query = "userid=\(urlEncoded(id))&resolver=\(urlEncoded(resolver))"
            return try listing(query, what: "the tokens of \(subject.login) by user id \(id)")
        }
        let byLogin = "user=\(urlEncoded(subject.login))&realm=\(urlEncoded(realm))"
        do {
            return try tokens(byLogin)
        } catch let error as PrivacyIDEAError where error.code == PrivacyIDEAError.unknownUser {
            throw failure("the realm \(realm) does not know \(subject.login), and without resolver and "
                          + "user_id its tokens cannot be found another way")
        } catch let error as PrivacyIDEAError {
            throw failure("listing the tokens of \(subject.login): \(error)")
        } catch let error as MFAFailure {
            throw error
        } catch {
            throw failure("\(error)")
        }
    }

    private func userIDValue(_ subject: MFASubject) -> String? {
        switch userID {
        case .login: return subject.login
        case .employeeID: return subject.employeeID
        case .dn: return subject.dn
        case nil: return nil
        }
    }

    private func listing(_ query: String, what: String, pageSize: Int = 200) throws(MFAFailure) -> [JSONObject] {
        do {
            return try tokens(query, pageSize: pageSize)
        } catch let error as MFAFailure {
            throw error
        } catch {
            throw failure("listing \(what): \(error)")
        }
    }

    /// Every page of `GET /token/` for the query.
    private func tokens(_ query: String, pageSize: Int = 200) throws -> [JSONObject] {
        var found: [JSONObject] = []
        var page = 1
        while true {
            let value = try call("GET", "/token/?\(query)&pagesize=\(pageSize)&page=\(page)")
            guard let listing = JSONObject(value) else { throw failure("GET /token/ gave no token listing") }
            found += listing.objects("tokens")
            guard let next = listing.int("next"), next > page else { return found }
            page = next
        }
    }

    static func authenticator(_ token: JSONObject) -> Authenticator? {
        guard let serial = token.string("serial") else { return nil }
        let type = token.string("tokentype") ?? "unknown"
        let revoked = token.bool("revoked") ?? false
        let state = token.string("rollout_state") ?? ""
        let usable = (token.bool("active") ?? false) && !revoked && !(token.bool("locked") ?? false)
            && (state.isEmpty || state == "enrolled")
        return Authenticator(id: serial, type: type, kind: kind(of: type), usable: usable, revoked: revoked)
    }

    static func kind(of type: String) -> AuthenticatorKind {
        switch type.lowercased() {
        case "webauthn", "u2f": return .webauthn
        case "passkey": return .passkey
        case "certificate", "x509": return .certificate
        case "totp": return .totp
        case "hotp", "yubikey", "motp", "daypassword": return .hotp
        case "sms": return .sms
        case "email": return .email
        case "push", "tiqr": return .push
        default: return .other
        }
    }

    /// Lists the tokens afresh, then revokes (or deletes) each one not yet revoked. Revoked
    /// is final in privacyIDEA: the token stays, locked, and never validates again.
    private func revokeAll(_ subject: MFASubject, delete: Bool) throws(MFAFailure) -> [Authenticator] {
        let current = try userState(subject).authenticators
        var after: [Authenticator] = []
        for token in current {
            do {
                if delete {
                    _ = try call("DELETE", "/token/\(urlEncoded(token.id))")
                } else if !token.revoked {
                    _ = try call("POST", "/token/revoke", body: ["serial": token.id])
                    after.append(Authenticator(id: token.id, type: token.type, kind: token.kind, usable: false,
                                               revoked: true))
                } else {
                    after.append(token)
                }
            } catch {
                throw failure("\(delete ? "deleting" : "revoking") token \(token.id) of \(subject.login): \(error)")
            }
        }
        return after
    }

    /// Lists the tokens afresh, then takes each one off the user, revoked ones too. The token
    /// stays in privacyIDEA without an owner (privacyIDEA also clears its PIN and fail
    /// counter), so /validate/check for the leaver has nothing left to check against.
    private func unassignAll(_ subject: MFASubject) throws(MFAFailure) -> [Authenticator] {
        for token in try userState(subject).authenticators {
            do {
                _ = try call("POST", "/token/unassign", body: ["serial": token.id])
            } catch {
                throw failure("unassigning token \(token.id) of \(subject.login): \(error)")
            }
        }
        return []
    }

    /// Resets the fail counter (`POST /token/reset`) of each usable token that has one above
    /// zero; a disabled or revoked token stays as it is.
    public func resetFailCounters(for subject: MFASubject) throws(MFAFailure) -> [Authenticator] {
        var reset: [Authenticator] = []
        for object in try tokenObjects(subject) {
            guard let token = PrivacyIDEAConnector.authenticator(object), token.usable,
                  (object.int("failcount") ?? 0) > 0 else { continue }
            do {
                _ = try call("POST", "/token/reset", body: ["serial": token.id])
            } catch {
                throw failure("resetting the fail counter of token \(token.id) of \(subject.login): \(error)")
            }
            reset.append(token)
        }
        return reset
    }

    // MARK: Users

    /// Creates the user in the editable resolver unless the realm knows them already.
    private func ensureUser(_ subject: MFASubject, givenName: String, surname: String) throws(MFAFailure) {
        guard let resolver else { throw failure("create_users needs resolver (an editable SQL resolver)") }
        do {
            let value = try call("GET", "/user/?realm=\(urlEncoded(realm))&username=\(urlEncoded(subject.login))")
            if let users = value as? [Any], !users.isEmpty { return }
            var body = ["user": subject.login, "resolver": resolver, "realm": realm,
                        "givenname": givenName, "surname": surname]
            if let mail = subject.mail { body["email"] = mail }
            _ = try call("POST", "/user/", body: body, retryable: false)
        } catch {
            throw failure("creating user \(subject.login) in \(resolver): \(error)")
        }
    }

    // MARK: Requests

    /// Sends one admin request and returns `result.value`. A 401 gets one fresh JWT and one
    /// more try; any answer with `result.status: false` is an error with privacyIDEA's code.
    private func call(_ method: String, _ path: String, body: [String: Any]? = nil,
                      retryable: Bool? = nil) throws -> Any {
        var response = try send(method, path, body: body, retryable: retryable)
        if response.status == 401 {
            jwt = nil
            response = try send(method, path, body: body, retryable: retryable)
        }
        return try PrivacyIDEAConnector.value(of: response, request: "\(method) \(path.prefix { $0 != "?" })")
    }

    private func send(_ method: String, _ path: String, body: [String: Any]?,
                      retryable: Bool?) throws -> HTTPResponse {
        let token = try currentJWT()
        var request = try body.map { try HTTPRequest.json(method, base + path, object: $0) }
            ?? HTTPRequest(method: method, url: base + path)
        request.headers.append((name: "Authorization", value: token))
        if let retryable { request.retryable = retryable }
        requestCount += 1
        return try client.send(request)
    }

    private func currentJWT() throws -> String {
        if let jwt { return jwt }
        let request = try HTTPRequest.json("POST", base + "/auth",
                                           object: ["username": adminUser, "password": password])
        requestCount += 1
        let response = try client.send(request)
        let value = try PrivacyIDEAConnector.value(of: response, request: "POST /auth")
        guard let token = JSONObject(value)?.string("token") else {
            throw failure("POST /auth gave no token")
        }
        jwt = token
        return token
    }

    static func value(of response: HTTPResponse, request: String) throws -> Any {
        let object = JSONObject(try? JSONSerialization.jsonObject(with: Data(response.body)))
        guard let result = object?.object("result") else {
            throw PrivacyIDEAError(request: request, status: response.status, code: nil,
                                   message: "the answer is not privacyIDEA's JSON")
        }
        guard result.bool("status") == true, response.isSuccess else {
            let error = result.object("error")
            throw PrivacyIDEAError(request: request, status: response.status, code: error?.int("code"),
                                   message: error?.string("message") ?? "status false")
        }
        return result["value"] ?? NSNull()
    }

    private func failure(_ message: String) -> MFAFailure {
        MFAFailure(connector: traits.name, message: message)
    }
}

/// An answer privacyIDEA gave with `result.status: false`, with its error code.
struct PrivacyIDEAError: Error, CustomStringConvertible {
    static let unknownUser = 904

    let request: String
    let status: Int
    let code: Int?
    let message: String

    var description: String {
        "\(request): HTTP \(status)" + (code.map { ", privacyIDEA error \($0)" } ?? "") + ": \(message)"
    }
}

import Foundation
import HTTP
import IdentitySync

/// Microsoft Graph (Entra ID) as an application: a bearer token from the client-credentials
/// grant at `token_url`, fetched once per run and again on a 401.
///
/// Methods are listed at `/users/{id}/authentication/methods` (paged by `@odata.nextLink`)
/// and deleted at their own collection (`fido2Methods/{id}`, …); the password method is the
/// directory's business and is never touched. Sessions end with `revokeSignInSessions`.
/// With `bulk_reconciliation: true`, the authentication methods registration report
/// (`/reports/authenticationMethods/userRegistrationDetails`) lists everyone's methods in pages.
public final class GraphConnector: MFAConnector {
    public let traits: MFAConnectorTraits
    let http: VendorClient
    private let tokenURL: String
    private let clientID: String
    private let clientSecret: String
    private let scope: String
    private let findBy: String
    private var bearer: String?
    private var ids: [MFASubject: String] = [:]

    public var requestCount: Int { http.requestCount }

    init(_ settings: MFAConnectorSettings, environment: [String: String]) throws {
        http = VendorClient(connector: settings.name, base: try MFASecrets.baseURL(settings),
                            options: MFASecrets.options(settings))
        tokenURL = try MFASecrets.baseURL(settings, key: "token_url")
        clientID = try settings.require("client_id")
        clientSecret = try MFASecrets.read(settings, "client_secret", environment: environment)
        scope = settings.value("scope") ?? "https://graph.microsoft.com/.default"
        findBy = try MFAFindBy.read(settings, allowed: ["login", "employee-id", "mail"])
        traits = MFAConnectorTraits(name: settings.name, revokesSessions: true, ensuresUsers: false,
                                    leaverPolicy: .delete,
                                    listsInBulk: try GraphConnector.listsInBulk(settings,
                                                                                findBy: findBy))
    }

    /// Off unless the block says `bulk_reconciliation: true`: the registration report needs
    /// the AuditLog.Read.All permission and an Entra ID P1 or P2 licence, which a site may not
    /// have. It names users by principal name and object id, so `find_by: mail` cannot use it.
    static func listsInBulk(_ settings: MFAConnectorSettings, findBy: String) throws -> Bool {
        guard settings.value("bulk_reconciliation") != nil else { return false }
        guard try MFASecrets.listsInBulk(settings) else { return false }
        guard findBy != "mail" else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): "
                                + "bulk_reconciliation needs find_by login or employee-id: the "
                                + "registration report does not give mail")
        }
        return true
    }

    public func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            results[subject] = Result { () throws(MFAFailure) in
                guard let id = try userID(subject) else { return MFAUserState(exists: false, authenticators: []) }
                return MFAUserState(exists: true, authenticators: try methods(id))
            }
        }
        return results
    }

    public func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        guard let id = try userID(subject) else {
            if case .revokeAuthenticators = action { return [] }
            throw http.failure("no Entra user for \(subject.login)")
        }
        switch action {
        case .revokeAuthenticators:
            for method in try methods(id) {
                let path = "/users/\(id)/authentication/\(method.type)Methods/\(urlEncoded(method.id))"
                try expect([204], try request("DELETE", http.base + path), "deleting \(method.label) of \(subject.login)")
            }
            return try methods(id)
        case .unassignAuthenticators:
            throw http.failure("Entra cannot unassign an authenticator from its user")
        case .revokeSessions:
            try expect([200], try request("POST", http.base + "/users/\(id)/revokeSignInSessions"),
                       "revoking the sign-in sessions of \(subject.login)")
            return nil
        case .ensureUser:
            throw http.failure("idsync does not create Entra users")
        }
    }

    /// Cannot tell: Graph's v1.0 sign-in log (`/auditLogs/signIns`) records whether a sign-in
    /// succeeded, not whether it asked for a second factor; `authenticationRequirement` and
    /// `authenticationDetails` are beta only, and a success is not evidence of MFA.
    public func latestVerification(of subject: MFASubject, since: Date)
        throws(MFAFailure) -> MFAVerification {
        .unknown("Graph's v1.0 sign-in log does not say whether a sign-in used MFA "
                 + "(authenticationRequirement is beta only)")
    }

    private func userID(_ subject: MFASubject) throws(MFAFailure) -> String? {
        if let known = ids[subject] { return known }
        var found: String?
        if findBy == "employee-id" {
            let filter = urlEncoded("employeeId eq '\(subject.employeeID.replacingOccurrences(of: "'", with: "''"))'")
            let query = "/users?$filter=\(filter)&$select=id,userPrincipalName"
            let users = try pages(query, "GET /users",
                                  "finding the user with employee id \(subject.employeeID)")
            guard users.count <= 1 else {
                throw http.failure("\(users.count) Entra users have employee id \(subject.employeeID)")
            }
            found = users.first?.string("id")
        } else {
            let key = findBy == "mail" ? (subject.mail ?? subject.login) : subject.login
            let response = try request("GET", http.base + "/users/\(urlEncoded(key))?$select=id,userPrincipalName")
            if response.status == 404 { return nil }
            try expect([200], response, "reading the user \(key)")
            found = JSONObject(try http.json(response, "GET /users/{id}"))?.string("id")
        }
        ids[subject] = found
        return found
    }

    /// Every page of the user's methods, the password left out. `type` is the method's
    /// collection stem (`fido2`, `microsoftAuthenticator`, …).
    private func methods(_ id: String) throws(MFAFailure) -> [Authenticator] {
        let methods = try pages("/users/\(id)/authentication/methods", "GET methods",
                                "listing the authentication methods of user \(id)")
        return methods.compactMap { method in
            guard let methodID = method.string("id"),
                  let odata = method.string("@odata.type") else { return nil }
            let stem = odata.replacingOccurrences(of: "#microsoft.graph.", with: "")
                .replacingOccurrences(of: "AuthenticationMethod", with: "")
            guard stem != "password" else { return nil }
            return Authenticator(id: methodID, type: stem, kind: GraphConnector.kind(of: stem),
                                 usable: true)
        }
    }

    /// Entra's method types. Windows Hello for Business and platform credentials are
    /// device-bound FIDO-style keys: they count as passkeys.
    static func kind(of stem: String) -> AuthenticatorKind {
        switch stem {
        case "fido2": return .webauthn
        case "windowsHelloForBusiness", "platformCredential": return .passkey
        case "x509Certificate": return .certificate
        case "softwareOath": return .totp
        case "microsoftAuthenticator": return .push
        case "phone": return .sms
        case "email": return .email
        default: return .other
        }
    }

    // MARK: Bulk reconciliation

    /// Every user the registration report lists with a sign-in method, by the key `find_by`
    /// names: one paged read of `/reports/authenticationMethods/userRegistrationDetails`
    /// (with `employee-id`, one more of `/users` for the employee ids). The report leaves out
    /// users disabled in Entra and lags behind registrations; what it shows is only a lead:
    /// the revocation lists the user's methods again before deleting.
    public func usableAuthenticatorsByOwner() throws(MFAFailure) -> [MFAOwner: [Authenticator]] {
        let report = try pages("/reports/authenticationMethods/userRegistrationDetails"
                               + "?$select=id,userPrincipalName,methodsRegistered",
                               "GET userRegistrationDetails", "reading the registration report")
        var registered: [(id: String, upn: String, methods: [Authenticator])] = []
        for entry in report {
            guard let id = entry.string("id"), let upn = entry.string("userPrincipalName") else {
                continue
            }
            let names = (entry["methodsRegistered"] as? [Any] ?? []).compactMap { $0 as? String }
            let methods = names.filter { !GraphConnector.notSignIn.contains($0) }.map {
                Authenticator(id: $0, type: $0, kind: GraphConnector.kind(ofRegistered: $0),
                              usable: true)
            }
            if !methods.isEmpty { registered.append((id, upn, methods)) }
        }
        guard findBy == "employee-id", !registered.isEmpty else {
            return Dictionary(registered.map { (.login(of: $0.upn), $0.methods) }) { $0 + $1 }
        }
        let users = try pages("/users?$select=id,employeeId", "GET /users",
                              "listing the users' employee ids")
        let employeeIDs = Dictionary(users.compactMap { user in
            user.string("id").flatMap { id in user.string("employeeId").map { (id, $0) } }
        }) { first, _ in first }
        var owners: [MFAOwner: [Authenticator]] = [:]
        for user in registered {
            guard let employeeID = employeeIDs[user.id], !employeeID.isEmpty else { continue }
            owners[.employeeID(of: employeeID), default: []] += user.methods
        }
        return owners
    }

    /// Report entries that are no sign-in factor and that the methods API does not delete.
    static let notSignIn: Set = ["password", "securityQuestion"]

    /// The report's method names (`methodsRegistered`) in idsync's kinds.
    static func kind(ofRegistered name: String) -> AuthenticatorKind {
        switch name {
        case "fido2SecurityKey": return .webauthn
        case "windowsHelloForBusiness", "macOsSecureEnclaveKey", "platformCredential":
            return .passkey
        case _ where name.hasPrefix("passKey"): return .passkey
        case _ where name.hasPrefix("microsoftAuthenticator"): return .push
        case "softwareOneTimePasscode": return .totp
        case "hardwareOneTimePasscode": return .hotp
        case "mobilePhone", "alternateMobilePhone": return .sms
        case "officePhone": return .voice
        case "email": return .email
        default: return .other
        }
    }

    // MARK: Requests

    /// Every item of a listing, page after page by `@odata.nextLink`.
    private func pages(_ path: String, _ call: String,
                       _ what: String) throws(MFAFailure) -> [JSONObject] {
        try http.pagedJSON(http.base + path, links: .odataNextLink,
                           call: call) { url throws(MFAFailure) in
            let response = try request("GET", url)
            try expect([200], response, what)
            return response
        }
    }

    private func request(_ method: String, _ url: String) throws(MFAFailure) -> HTTPResponse {
        var response = try http.send(authorized(method, url, token: try currentBearer()))
        if response.status == 401 {
            bearer = nil
            response = try http.send(authorized(method, url, token: try currentBearer()))
        }
        return response
    }

    private func authorized(_ method: String, _ url: String, token: String) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: [(name: "Authorization", value: "Bearer \(token)"),
                                                       (name: "Accept", value: "application/json")],
                    body: method == "POST" ? [] : nil, retryable: method != "POST" ? nil : false)
    }

    private func currentBearer() throws(MFAFailure) -> String {
        if let bearer { return bearer }
        let form = formEncoded([("client_id", clientID), ("client_secret", clientSecret), ("scope", scope),
                                ("grant_type", "client_credentials")])
        let response = try http.send(HTTPRequest(method: "POST", url: tokenURL,
                                                 headers: [(name: "Content-Type",
                                                            value: "application/x-www-form-urlencoded")],
                                                 body: Array(form.utf8), retryable: true))
        let body = JSONObject(try? JSONSerialization.jsonObject(with: Data(response.body)))
        guard response.status == 200, let token = body?.string("access_token") else {
            let why = body?.string("error").map { " \($0)" } ?? ""
            throw http.failure("the token endpoint refused the client credentials: HTTP \(response.status)\(why)")
        }
        bearer = token
        return token
    }

    private func expect(_ statuses: Set<Int>, _ response: HTTPResponse, _ what: String) throws(MFAFailure) {
        guard !statuses.contains(response.status) else { return }
        let error = JSONObject(try? JSONSerialization.jsonObject(with: Data(response.body)))?.object("error")
        throw http.failure("\(what): HTTP \(response.status) \(error?.string("code") ?? "") \(error?.string("message") ?? "")")
    }
}

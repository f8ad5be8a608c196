import Foundation
import IdentitySync

/// A site's own program behind the connector protocol, so that any other MFA system can be
/// plugged in without Swift. Each call runs the program once with one JSON request on
/// standard input and reads one JSON answer on standard output:
///
///     {"version": 1, "verb": "observe", "subjects": [{"employee_id", "login", "dn", "mail"}]}
///       → {"results": [{"login": …, "exists": true,
///                       "authenticators": [{"id", "type", "kind", "usable", "revoked"}]}
///                      | {"login": …, "error": "…"}]}
///     {"version": 1, "verb": "revoke-authenticators" | "delete-authenticators" | "revoke-sessions"
///      | "ensure-user", "subject": {…}, "given_name": …, "surname": …}
///       → {"ok": true, "authenticators": [...]} | {"ok": false, "error": "…"}
///
/// `kind` is one of idsync's (webauthn, passkey, certificate, totp, hotp, sms, email, push,
/// voice, other). Exit status 0 is required; a program that runs past `timeout` seconds is
/// killed. Anything else is a failure, never "no authenticators".
///
/// The program does not inherit idsync's environment, which holds other connectors' secrets
/// and the bind password: it gets PATH, LANG, LC_ALL and TZ as idsync has them, HOME in an
/// empty private folder, and only the variables `pass_env` names.
public final class ExecConnector: MFAConnector {
    public let traits: MFAConnectorTraits
    let program: String
    let timeout: Double
    /// The whole environment the program runs with.
    let environment: [String: String]
    /// Runs of the program, for the calls-per-leaver figures.
    public private(set) var requestCount = 0

    init(_ settings: MFAConnectorSettings, environment: [String: String]) throws {
        program = try settings.require("program")
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): program \(program) "
                                + "is not an executable file")
        }
        timeout = Double(settings.value("timeout") ?? "") ?? 30
        let passed = (settings.value("pass_env") ?? "").split(separator: " ").map(String.init)
        self.environment = try ExecConnector.programEnvironment(from: environment, passing: passed,
                                                                settings: settings)
        traits = MFAConnectorTraits(name: settings.name, revokesSessions: settings.value("revokes_sessions") == "true",
                                    ensuresUsers: settings.value("ensures_users") == "true",
                                    leaverPolicy: try MFASecrets.leaverPolicy(settings))
    }

    deinit {
        if let home = environment["HOME"] { try? FileManager.default.removeItem(atPath: home) }
    }

    public func observe(_ subjects: [MFASubject]) -> [MFASubject: Result<MFAUserState, MFAFailure>] {
        let request: [String: Any] = ["version": 1, "verb": "observe", "subjects": subjects.map(ExecConnector.json)]
        let answer: JSONObject
        do {
            answer = try run(request)
        } catch {
            return Dictionary(uniqueKeysWithValues: subjects.map { ($0, .failure(error)) })
        }
        let (byLogin, repeated) = ExecConnector.resultsByLogin(answer)
        var results: [MFASubject: Result<MFAUserState, MFAFailure>] = [:]
        for subject in subjects {
            guard let result = byLogin[subject.login] else {
                results[subject] = .failure(failure("the program gave no result for \(subject.login)"))
                continue
            }
            // Which of two answers is true cannot be told: neither is taken.
            guard !repeated.contains(subject.login) else {
                results[subject] = .failure(failure("the program gave two results for \(subject.login)"))
                continue
            }
            if let error = result.string("error") {
                results[subject] = .failure(failure("\(subject.login): \(error)"))
                continue
            }
            results[subject] = ExecConnector.userState(result)
                .mapError { failure("\(subject.login): \($0.text)") }
        }
        return results
    }

    public func perform(_ action: MFAAction, for subject: MFASubject) throws(MFAFailure) -> [Authenticator]? {
        var request: [String: Any] = ["version": 1, "subject": ExecConnector.json(subject)]
        switch action {
        case .revokeAuthenticators(let delete):
            request["verb"] = delete ? "delete-authenticators" : "revoke-authenticators"
        case .unassignAuthenticators:
            throw failure("an exec connector does not unassign")
        case .revokeSessions:
            request["verb"] = "revoke-sessions"
        case .ensureUser(let givenName, let surname):
            request["verb"] = "ensure-user"
            request["given_name"] = givenName
            request["surname"] = surname
        }
        let answer = try run(request)
        guard answer.bool("ok") == true else {
            throw failure("\(request["verb"]!) \(subject.login): \(answer.string("error") ?? "the program said ok: false")")
        }
        guard answer["authenticators"] != nil else { return nil }
        switch ExecConnector.authenticators(answer) {
        case .success(let found): return found
        case .failure(let problem):
            throw failure("\(request["verb"]!) \(subject.login): \(problem.text)")
        }
    }

    /// The minimal environment plus the named variables; a named variable idsync does not
    /// have is left out. HOME is a folder of the program's own, not idsync's home with its
    /// dotfiles.
    static func programEnvironment(from environment: [String: String], passing names: [String],
                                   settings: MFAConnectorSettings) throws -> [String: String] {
        var minimal = ["PATH": environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for name in ["LANG", "LC_ALL", "TZ"] + names {
            if let value = environment[name] { minimal[name] = value }
        }
        let folder = FileManager.default.temporaryDirectory.path
        var template = Array((folder + "/idsync-exec-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ConfigProblem("mfa connector '\(settings.name)' (\(settings.origin)): no private home "
                                + "could be made for the program: \(String(cString: strerror(errno)))")
        }
        let home = String(cString: made)
        minimal["HOME"] = home
        return minimal
    }

    static func json(_ subject: MFASubject) -> [String: Any] {
        var object: [String: Any] = ["employee_id": subject.employeeID, "login": subject.login, "dn": subject.dn]
        if let mail = subject.mail { object["mail"] = mail }
        return object
    }

    /// The answer's results by login, and the logins that have more than one result.
    static func resultsByLogin(_ answer: JSONObject) -> ([String: JSONObject], Set<String>) {
        var byLogin: [String: JSONObject] = [:]
        var repeated: Set<String> = []
        for result in answer.objects("results") {
            guard let login = result.string("login") else { continue }
            if byLogin.updateValue(result, forKey: login) != nil { repeated.insert(login) }
        }
        return (byLogin, repeated)
    }

    /// One observe result as the protocol describes it; a problem with its shape, never a
    /// guess. A user who exists must come with an `authenticators` list (empty when they have
    /// none): a missing list cannot be told from a program that forgot it.
    static func userState(_ result: JSONObject) -> Result<MFAUserState, AnswerProblem> {
        let exists: Bool
        switch result["exists"] {
        case nil: exists = true
        case _ where result.bool("exists") != nil: exists = result.bool("exists")!
        default: return .failure(AnswerProblem("'exists' is not true or false"))
        }
        guard exists || result["authenticators"] != nil else {
            return .success(MFAUserState(exists: false, authenticators: []))
        }
        guard result["authenticators"] != nil else {
            return .failure(AnswerProblem(
                "the result has no 'authenticators' list; a user without any has []"))
        }
        return authenticators(result).map { MFAUserState(exists: exists, authenticators: $0) }
    }

    /// The answer's authenticators. An item the protocol does not describe is a problem,
    /// not an item to skip: an authenticator without an id, or a list that is not one, would
    /// otherwise read as "no authenticators", and a leaver's revocation would be recorded
    /// complete with a token still usable.
    static func authenticators(_ object: JSONObject) -> Result<[Authenticator], AnswerProblem> {
        guard let items = object["authenticators"] as? [Any] else {
            return .failure(AnswerProblem("'authenticators' is not a list"))
        }
        var found: [Authenticator] = []
        for (position, value) in items.enumerated() {
            let number = position + 1
            guard let item = JSONObject(value) else {
                return .failure(AnswerProblem("authenticator \(number) is not an object"))
            }
            guard let id = item.string("id"), !id.isEmpty else {
                return .failure(AnswerProblem("authenticator \(number) has no 'id'"))
            }
            for key in ["usable", "revoked"] where item[key] != nil && item.bool(key) == nil {
                return .failure(AnswerProblem(
                    "'\(key)' of authenticator \(number) is not true or false"))
            }
            let kind = AuthenticatorKind(rawValue: item.string("kind") ?? "") ?? .other
            let revoked = item.bool("revoked") ?? false
            found.append(Authenticator(id: id, type: item.string("type") ?? kind.rawValue,
                                       kind: kind, usable: item.bool("usable") ?? !revoked,
                                       revoked: revoked))
        }
        return .success(found)
    }

    // MARK: Running the program

    /// One run: the request in, the answer out, within the timeout and with exit status 0.
    private func run(_ request: [String: Any]) throws(MFAFailure) -> JSONObject {
        requestCount += 1
        let input: Data
        do {
            input = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        } catch {
            throw failure("the request could not be encoded: \(error)")
        }
        let (status, output, errors) = try spawn(input)
        guard status == 0 else {
            let first = String(decoding: errors, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw failure("\(program) exited with status \(status)" + (first.isEmpty ? "" : ": \(first.prefix(200))"))
        }
        guard let answer = JSONObject(try? JSONSerialization.jsonObject(with: output)) else {
            throw failure("\(program) wrote no JSON object on standard output")
        }
        return answer
    }

    private func spawn(_ input: Data) throws(MFAFailure) -> (Int32, Data, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw failure("\(program) could not be started: \(error)")
        }
        // Writing and reading on their own threads: a program may answer before it has read
        // everything, and a full pipe in either direction must not stall the other.
        let output = PipeReader(stdout.fileHandleForReading)
        let errors = PipeReader(stderr.fileHandleForReading)
        Thread.detachNewThread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        guard finished.wait(timeout: .now() + timeout) == .success else {
            process.terminate()
            if finished.wait(timeout: .now() + 2) != .success { kill(process.processIdentifier, SIGKILL) }
            throw failure("\(program) did not answer within \(timeout) s and was stopped")
        }
        return (process.terminationStatus, output.data(), errors.data())
    }

    private func failure(_ message: String) -> MFAFailure {
        MFAFailure(connector: traits.name, message: message)
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeReader: @unchecked Sendable {
    private var collected = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            collected = (try? handle.readToEnd()) ?? Data()
            done.signal()
        }
    }

    func data() -> Data {
        done.wait()
        return collected
    }
}

/// What is wrong with the shape of a program's answer, said in the failure that names it.
struct AnswerProblem: Error {
    let text: String

    init(_ text: String) {
        self.text = text
    }
}

import IdentitySync

/// The options of `terminate` and `reinstate`.
struct TerminationArguments {
    static let valueOptions: Set<String> = ["--employee", "--login", "--ticket"]
    static let flags: Set<String> = ["--yes", "--emergency-protected"]

    var employee: String?
    var login: String?
    var ticket: String?
    var yes = false
    var emergencyProtected = false

    mutating func set(_ option: String, _ value: String) {
        switch option {
        case "--employee": employee = value
        case "--login": login = value
        case "--ticket": ticket = value
        default: break
        }
    }

    /// True when `word` is one of the flags, which take no value.
    mutating func setFlag(_ word: String) -> Bool {
        switch word {
        case "--yes": yes = true
        case "--emergency-protected": emergencyProtected = true
        default: return false
        }
        return true
    }

    var isEmpty: Bool {
        employee == nil && login == nil && ticket == nil && !yes && !emergencyProtected
    }

    var key: AccountKey? {
        if let employee { return .employeeID(employee) }
        return login.map(AccountKey.login)
    }
}

extension Arguments {
    var isTermination: Bool { command == .terminate || command == .reinstate }

    func checkTermination() throws {
        guard isTermination else {
            // explain takes --employee ID too.
            let explainsOne = command == .explain && termination.login == nil
                && termination.ticket == nil && !termination.yes && !termination.emergencyProtected
            if !termination.isEmpty && !explainsOne {
                throw UsageError(
                    message: "--employee, --login, --ticket, --yes and --emergency-protected are "
                        + "options of terminate and reinstate", command: command)
            }
            return
        }
        guard (termination.employee == nil) != (termination.login == nil) else {
            throw UsageError(
                message: "\(command.rawValue) needs --employee ID or --login NAME (one of them)",
                command: command)
        }
        guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError(
                message: "\(command.rawValue) needs --reason TEXT; it goes into the audit log",
                command: command)
        }
        if outPath != nil || format != "text" || allowChanges != nil {
            throw UsageError(
                message:
                    "--out, --format and --allow-changes are not options of \(command.rawValue)",
                command: command)
        }
    }
}

import Foundation

extension Arguments {
    /// explain's person: `--employee ID`, the option terminate has too.
    var employeeID: String? { termination.employee }

    /// The options of `apply` and `explain`, and the formats each command can print.
    func checkReportOptions() throws {
        switch command {
        case .apply, .report:
            guard planPath != nil else {
                throw UsageError(
                    message: "\(command.rawValue) needs --plan FILE, a plan saved with "
                        + "'idsync plan --format json'",
                    command: command)
            }
        case .explain:
            guard let id = employeeID, !id.isEmpty else {
                throw UsageError(message: "explain needs --employee ID", command: command)
            }
            guard ["text", "html"].contains(format) else {
                throw UsageError(
                    message: "explain prints text or html, found '\(format)'", command: command)
            }
        default:
            break
        }
        if planPath != nil && command != .apply && command != .report {
            throw UsageError(message: "--plan is an option of apply and report", command: command)
        }
        if approvedBy != nil && command != .apply && command != .adopt {
            throw UsageError(
                message: "--approved-by is an option of apply and adopt", command: command)
        }
        if let name = approvedBy, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw UsageError(message: "--approved-by needs the approver's name", command: command)
        }
    }
}

import Foundation

/// An HR export in CSV, read through a layout that names its columns.
///
/// Whole-file problems (an unclosed quote, invalid UTF-8, a missing column) make the
/// feed untrusted and stop the run. A bad row is quarantined on its own.
public struct CSVFeed: HRFeed {
    public let path: String
    public let layout: FeedLayout

    /// Columns without which no person can be built.
    static let required: [HRField] = [.employeeID, .firstName, .lastName, .status]

    public init(path: String, layout: FeedLayout) {
        self.path = path
        self.layout = layout
    }

    public func read() throws -> FeedSnapshot {
        let (table, record) = try readTable()
        if let stamp = layout.exportStamp, let record {
            try stamp.checkRowCount(record, read: table.rows.count, file: path)
        }
        if layout.exportStamp?.place != .trailer {
            try checkLastRow(table)
        }
        let columns = try resolveColumns(table)
        var parser = RowParser(file: path, layout: layout, columns: columns)
        parser.people.reserveCapacity(table.rows.count)
        for row in table.rows {
            parser.parse(row, fieldCountError: table.fieldCountError(for: row))
        }
        var snapshot = parser.snapshot(rowCount: table.rows.count, origin: path)
        snapshot.date = try date(table, record)
        return snapshot
    }

    /// The table, with the export record the layout declares split off first. A trailer
    /// that is there proves the export was written to its end.
    private func readTable() throws -> (CSVTable, ExportRecord?) {
        var bytes = try exportBytes()
        do {
            var record: ExportRecord?
            if let stamp = layout.exportStamp, stamp.place == .firstLine || stamp.place == .trailer {
                record = try ExportRecord.split(&bytes, stamp: stamp, delimiter: layout.delimiter,
                                                file: path)
            }
            return (try CSVReader.parse(bytes, file: path, delimiter: layout.delimiter), record)
        } catch let error as CSVError {
            throw FeedError.incomplete("\(error)")
        }
    }

    /// The export's bytes, read from the file whose mode was checked, in one open. Whoever can
    /// write the export decides who is disabled, so it is checked as the config is: no write
    /// bit for group or other. A file that cannot be read is the feed's own error.
    private func exportBytes() throws -> [UInt8] {
        do {
            return try ProtectedFile.read(path, as: .config, role: "feed file (feed.path)")
        } catch ProtectedFileError.unreadable(_, _, let code) {
            let reason = String(cString: strerror(code))
            let error = CSVError(.unreadable, file: path, line: 0, "cannot read the file (\(reason))")
            throw FeedError.incomplete("\(error)")
        }
    }

    /// The export's own instant where the layout declares one, else the file's mtime.
    private func date(_ table: CSVTable, _ record: ExportRecord?) throws -> FeedDate? {
        if let stamp = layout.exportStamp {
            if case .column(let name) = stamp.place {
                return try stamp.exported(column: name, in: table, file: path)
            }
            if let record, let date = try stamp.exported(record, file: path) { return date }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)
                            + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return FeedDate(instant: modified, source: "modified \(AuditLog.timestamp(modified))")
    }

    /// A last row that is short of fields and has no line break after it is what an export
    /// cut off in mid-write looks like: the whole feed is untrusted, not only that row.
    private func checkLastRow(_ table: CSVTable) throws {
        guard let last = table.rows.last, let problem = table.fieldCountError(for: last),
              !CSVFeed.endsWithLineBreak(path) else { return }
        throw FeedError.incomplete("\(problem.description); it is the last row and the file ends without a "
                                   + "line break, so the export looks cut off. Export it again")
    }

    static func endsWithLineBreak(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        guard fseek(file, -1, SEEK_END) == 0 else { return false }
        let byte = fgetc(file)
        return byte == 0x0A || byte == 0x0D
    }

    /// Where each mapped column sits in the header. A mapped column the header lacks stops
    /// the run unless the layout lists it in `optional_columns`: read as empty in every row,
    /// a missing termination or contract end date would keep leavers enabled or re-enable
    /// them, and a missing department or job code would take groups away from everyone.
    private func resolveColumns(_ table: CSVTable) throws -> [HRField: Int] {
        var columns: [HRField: Int] = [:]
        for (field, name) in layout.columns {
            if let index = table.column(named: name) { columns[field] = index }
        }
        guard !table.rows.isEmpty else { return columns }

        let unmapped = CSVFeed.required.filter { layout.columns[$0] == nil }
        guard unmapped.isEmpty else {
            let names = unmapped.map(\.rawValue).joined(separator: ", ")
            throw FeedError.incomplete("the layout \(layout.name) maps no column to \(names); "
                                       + "add them under its columns")
        }
        let missing = HRField.allCases.filter {
            layout.columns[$0] != nil && columns[$0] == nil && !layout.optionalFields.contains($0)
        }
        guard missing.isEmpty else { throw missingColumns(missing, table: table) }
        return columns
    }

    /// The stop for mapped columns the header lacks: the file, the columns, and the fix.
    private func missingColumns(_ fields: [HRField], table: CSVTable) -> FeedError {
        let names = fields.map { "'\(layout.columns[$0] ?? $0.rawValue)' (\($0.rawValue))" }
            .joined(separator: ", ")
        let fix = fields.contains(where: CSVFeed.required.contains)
            ? "export the file again with these columns, or correct their names in the layout"
            : "export the file again with these columns; if HR does not export one, list its "
                + "field under optional_columns in the layout, or take it out of its columns"
        return FeedError.incomplete(
            "\(path):\(table.headerLine): the header lacks \(names) that the layout "
                + "\(layout.name) maps; read as empty in every row, they would change accounts "
                + "as if HR had cleared them. To fix: \(fix)")
    }
}

/// Turns rows into people, collecting each row's problems instead of stopping at the first.
struct RowParser {
    let file: String
    let layout: FeedLayout
    /// The export's column of each field by field ordinal, -1 where it has none.
    let columnIndex: [Int]
    /// The cleaned and pooled values of the row being built, by field ordinal: `build` asks
    /// for most fields twice (to check them, then for the person), and each answer was a
    /// pool lookup.
    private var current: (line: Int, values: [String?]) = (-1, [])
    var people: [Person] = []
    var lines: [Int] = []
    var quarantined: [QuarantinedRecord] = []
    var notices: [String] = []
    var indexByKey: [String: Int] = [:]
    var pool = StringPool()

    init(file: String, layout: FeedLayout, columns: [HRField: Int]) {
        self.file = file
        self.layout = layout
        var index = Array(repeating: -1, count: HRField.allCases.count)
        for (field, column) in columns { index[field.ordinal] = column }
        self.columnIndex = index
    }

    mutating func parse(_ row: CSVRow, fieldCountError: CSVError?) {
        let source = "\(file):\(row.line)"
        if let error = fieldCountError {
            // Fields may be shifted: not even the employee id can be trusted.
            quarantined.append(QuarantinedRecord(source: source, employeeID: nil,
                                                 problems: [error.message], termination: nil))
            return
        }
        var problems: [String] = []
        let person = build(row, source: source, problems: &problems)
        guard problems.isEmpty else {
            quarantine(person, source: source, problems: problems)
            return
        }
        add(person, line: row.line)
    }

    private mutating func value(_ field: HRField, _ row: CSVRow) -> String {
        if current.line != row.line {
            current.line = row.line
            current.values = Array(repeating: nil, count: HRField.allCases.count)
        }
        if let known = current.values[field.ordinal] { return known }
        let text = raw(field, row)
        let value = text.isEmpty ? "" : pool.intern(HRValue.cleaned(text))
        current.values[field.ordinal] = value
        return value
    }

    /// The field as the export holds it, before cleaning.
    private func raw(_ field: HRField, _ row: CSVRow) -> String {
        let index = columnIndex[field.ordinal]
        return index >= 0 && index < row.fields.count ? row.fields[index] : ""
    }

    private mutating func date(_ field: HRField, _ row: CSVRow, problems: inout [String]) -> LocalDate? {
        let text = value(field, row)
        guard !text.isEmpty else { return nil }
        let column = layout.columns[field] ?? field.rawValue
        do {
            return try layout.dateLayout.parse(text)
        } catch let error as DateValueError where error.outOfRange {
            problems.append("column '\(column)': \(error)")
        } catch {
            problems.append("column '\(column)': '\(text)' is not a date in the layout \(layout.dateLayout)")
        }
        return nil
    }

    private mutating func build(_ row: CSVRow, source: String, problems: inout [String]) -> Person {
        let id = value(.employeeID, row)
        if id.isEmpty { problems.append("column '\(layout.columns[.employeeID] ?? "employee_id")' is empty") }
        let statusText = value(.status, row)
        let status = layout.statusValues[statusText.lowercased()]
        if status == nil {
            let known = layout.statusValues.keys.sorted().joined(separator: ", ")
            problems.append("column '\(layout.columns[.status] ?? "status")': '\(statusText)' is not a status "
                            + "the layout knows (\(known))")
        }
        for field in [HRField.firstName, .lastName, .hireDate]
        where layout.columns[field] != nil && value(field, row).isEmpty {
            problems.append("column '\(layout.columns[field] ?? field.rawValue)' is empty")
        }
        for field in HRField.allCases {
            guard let unfit = HRValue.spacingProblem(raw(field, row), field: field)
                ?? HRValue.problem(value(field, row)) else { continue }
            problems.append("column '\(layout.columns[field] ?? field.rawValue)' \(unfit); fix the value in HR")
        }
        let workerType = value(.workerType, row)
        let preferred = value(.preferredName, row)
        let manager = value(.managerID, row)
        let mail = value(.workEmail, row)
        var person = Person(employeeID: id, firstName: value(.firstName, row),
                      preferredName: preferred.isEmpty ? nil : preferred, lastName: value(.lastName, row),
                      jobTitle: value(.jobTitle, row), jobCode: value(.jobCode, row),
                      department: value(.department, row), location: value(.location, row),
                      workerType: workerType,
                      workerCategory: layout.contractorTypes.contains(workerType.lowercased()) ? .contractor : .employee,
                      status: status ?? .active,
                      hireDate: date(.hireDate, row, problems: &problems),
                      terminationDate: date(.terminationDate, row, problems: &problems),
                      contractEndDate: date(.contractEndDate, row, problems: &problems),
                      managerID: manager.isEmpty ? nil : manager, source: file, line: row.line)
        person.workEmail = mail.isEmpty ? nil : mail
        return person
    }

    /// A bad row still disables when its employee id and its termination are both plain:
    /// a terminated status, or a termination date that parsed.
    private mutating func quarantine(_ person: Person, source: String, problems: [String]) {
        let id = person.employeeID.isEmpty ? nil : person.employeeID
        let statusColumn = layout.columns[.status] ?? "status"
        let terminationColumn = layout.columns[.terminationDate] ?? "termination_date"
        let statusBad = problems.contains { $0.hasPrefix("column '\(statusColumn)'") }
        let dateBad = problems.contains { $0.hasPrefix("column '\(terminationColumn)'") }
        let plain = id != nil && !statusBad && !dateBad
            && (person.status == .terminated || person.terminationDate != nil)
        quarantined.append(QuarantinedRecord(source: source, employeeID: id, problems: problems,
                                             termination: plain ? person : nil))
    }

    /// The same id twice is an error naming both lines, except a worker conversion: a
    /// terminated record and an active one for one person, where the active one wins.
    private mutating func add(_ person: Person, line: Int) {
        guard let index = indexByKey[person.key] else {
            indexByKey[person.key] = people.count
            people.append(person)
            lines.append(line)
            return
        }
        let first = people[index]
        let conversion = (first.status == .terminated) != (person.status == .terminated)
        guard conversion else {
            let text = "employee id \(person.employeeID) appears on lines \(lines[index]) and \(line); "
                + "HR must keep one record per person"
            quarantined.append(QuarantinedRecord(source: first.source, employeeID: first.employeeID,
                                                 problems: [text], termination: nil))
            quarantined.append(QuarantinedRecord(source: person.source, employeeID: person.employeeID,
                                                 problems: [text], termination: nil))
            people[index].employeeID = ""     // removed below
            return
        }
        let active = first.status == .terminated ? person : first
        notices.append("employee id \(person.employeeID): lines \(lines[index]) and \(line) are a terminated "
                       + "and an active record (a worker conversion); the active one (\(active.source)) is used")
        people[index] = active
    }

    /// The people in employee-id order, the order the planner works in.
    mutating func snapshot(rowCount: Int, origin: String) -> FeedSnapshot {
        people.removeAll { $0.employeeID.isEmpty }
        people.sort { $0.key < $1.key }
        return FeedSnapshot(people: people, quarantined: quarantined, notices: notices,
                            rowCount: rowCount, origin: origin)
    }
}

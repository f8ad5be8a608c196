import Foundation

/// A calendar date with no time and no zone, as HR writes hire and termination dates.
///
/// Dates compare as the calendar does. The lifecycle asks "is today, in this person's
/// zone, after their last day?", so a date never carries an instant with it.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// year × 512 + month × 32 + day in four bytes: every person carries three dates, and
    /// the packed form also orders as the calendar does.
    private let packed: UInt32

    public var year: Int { Int(packed >> 9) }
    public var month: Int { Int((packed >> 5) & 0xF) }
    public var day: Int { Int(packed & 0x1F) }

    /// Returns nil where the day does not exist (31 April, 29 February of a common year).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        guard (1...LocalDate.days(inMonth: month, year: year)).contains(day) else { return nil }
        self.packed = UInt32(year) << 9 | UInt32(month) << 5 | UInt32(day)
    }

    enum CodingKeys: String, CodingKey { case year, month, day }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let year = try values.decode(Int.self, forKey: .year)
        let month = try values.decode(Int.self, forKey: .month)
        let day = try values.decode(Int.self, forKey: .day)
        guard let date = LocalDate(year: year, month: month, day: day) else {
            throw DecodingError.dataCorruptedError(forKey: .day, in: values, debugDescription: "no such date")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(year, forKey: .year)
        try values.encode(month, forKey: .month)
        try values.encode(day, forKey: .day)
    }

    /// The years a date from outside may have (HR's dates, `--today`). A year before 1900
    /// is a placeholder (0001-01-01 for "no date") or a typo rather than a hire or a last
    /// day, and Foundation's Gregorian calendar turns Julian before 1582.
    public static let years = 1900...9999
    /// `years` as messages name them.
    public static let yearsText = "\(years.lowerBound) to \(years.upperBound)"

    /// The run instants idsync takes, years 1900 to 9998 in UTC: the local date of every
    /// zone (±14 hours) is then a date with a year of four digits.
    public static let instants: Range<Date> = {
        let utc = TimeZone(identifier: "UTC")!
        let first = LocalDate(year: years.lowerBound, month: 1, day: 1)!.startOfDay(in: utc)
        let end = LocalDate(year: years.upperBound, month: 1, day: 1)!.startOfDay(in: utc)
        return first..<end
    }()

    /// The bounds of `instants` as `--at` takes them, for messages.
    public static let instantsText = "1900-01-01T00:00:00Z up to 9998-12-31T23:59:59Z"

    /// Parses `yyyy-MM-dd` strictly, in `years` only.
    public init?(iso text: String) {
        guard let date = try? DateLayout("yyyy-MM-dd").parse(text) else { return nil }
        self = date
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.packed < rhs.packed
    }

    /// `yyyy-MM-dd`, written by hand: through String(format:) the dates of a 100,000-joiner
    /// plan's states and reasons took 0.4 s.
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(10)
        text.appendDigits(year, width: 4)
        text.append(UInt8(ascii: "-"))
        text.appendDigits(month, width: 2)
        text.append(UInt8(ascii: "-"))
        text.appendDigits(day, width: 2)
        return String(decoding: text, as: UTF8.self)
    }

    /// The date `count` days later (or earlier, for a negative count).
    public func adding(days count: Int) -> LocalDate {
        let ordinal = LocalDate.ordinal(self) + count
        return LocalDate.fromOrdinal(ordinal)
    }

    /// Days from `self` to `other`; positive when `other` is later.
    public func days(until other: LocalDate) -> Int {
        LocalDate.ordinal(other) - LocalDate.ordinal(self)
    }

    /// The date this instant falls on in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The instant of local midnight at the start of this date in `zone`.
    public func startOfDay(in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = DateComponents(year: year, month: month, day: day)
        return calendar.date(from: parts)!
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Days since 0000-03-01 in the proleptic Gregorian calendar (a civil-from-days count).
    static func ordinal(_ date: LocalDate) -> Int {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = y / 400
        let yearOfEra = y - era * 400
        let m = date.month > 2 ? date.month - 3 : date.month + 9
        let dayOfYear = (153 * m + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra
    }

    static func fromOrdinal(_ ordinal: Int) -> LocalDate {
        let era = ordinal / 146_097
        let dayOfEra = ordinal - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return LocalDate(year: year, month: month, day: day)!
    }
}

/// A date layout declared by an HR export, such as `MM/dd/yyyy` or `yyyy-MM-dd`.
///
/// Parsing is strict: every digit the layout asks for must be there, separators must
/// match, and the day must exist. A value that does not fit is an error, never a guess.
public struct DateLayout: Sendable, CustomStringConvertible {
    enum Token: Sendable { case year, month(padded: Bool), day(padded: Bool), literal(UInt8) }

    public let description: String
    let tokens: [Token]

    public init(_ layout: String) throws {
        var tokens: [Token] = []
        var rest = Substring(layout)
        while let next = rest.first {
            if rest.hasPrefix("yyyy") { tokens.append(.year); rest = rest.dropFirst(4); continue }
            if rest.hasPrefix("MM") { tokens.append(.month(padded: true)); rest = rest.dropFirst(2); continue }
            if rest.hasPrefix("dd") { tokens.append(.day(padded: true)); rest = rest.dropFirst(2); continue }
            if next == "M" { tokens.append(.month(padded: false)); rest = rest.dropFirst(); continue }
            if next == "d" { tokens.append(.day(padded: false)); rest = rest.dropFirst(); continue }
            guard next.isASCII, !next.isLetter, let byte = next.asciiValue else {
                throw DateLayoutError(layout: layout)
            }
            tokens.append(.literal(byte))
            rest = rest.dropFirst()
        }
        self.description = layout
        self.tokens = tokens
    }

    /// Returns the date, or throws when `text` does not follow the layout exactly.
    public func parse(_ text: String) throws -> LocalDate {
        var bytes = Array(text.utf8)[...]
        var year = 0, month = 0, day = 0
        for token in tokens {
            switch token {
            case .year: year = try digits(&bytes, min: 4, max: 4, text)
            case .month(let padded): month = try digits(&bytes, min: padded ? 2 : 1, max: 2, text)
            case .day(let padded): day = try digits(&bytes, min: padded ? 2 : 1, max: 2, text)
            case .literal(let byte):
                guard bytes.first == byte else { throw DateValueError(value: text, layout: description) }
                bytes = bytes.dropFirst()
            }
        }
        guard bytes.isEmpty, let date = LocalDate(year: year, month: month, day: day) else {
            throw DateValueError(value: text, layout: description)
        }
        guard LocalDate.years.contains(year) else {
            throw DateValueError(value: text, layout: description, outOfRange: true)
        }
        return date
    }

    private func digits(_ bytes: inout ArraySlice<UInt8>, min: Int, max: Int, _ text: String) throws -> Int {
        var value = 0
        var count = 0
        while count < max, let byte = bytes.first, (48...57).contains(byte) {
            value = value * 10 + Int(byte - 48)
            count += 1
            bytes = bytes.dropFirst()
        }
        guard count >= min else { throw DateValueError(value: text, layout: description) }
        return value
    }
}

public struct DateLayoutError: Error, CustomStringConvertible {
    public let layout: String
    public var description: String {
        "date layout '\(layout)' is not supported; use yyyy, MM, M, dd, d and separators, e.g. MM/dd/yyyy"
    }
}

public struct DateValueError: Error, CustomStringConvertible {
    public let value: String
    public let layout: String
    /// The date exists but its year is outside `LocalDate.years`.
    public var outOfRange = false

    public var description: String {
        guard outOfRange else { return "'\(value)' is not a date in the layout \(layout)" }
        let years = LocalDate.years
        return "'\(value)' lies outside the years idsync takes "
            + "(\(years.lowerBound)-\(years.upperBound)); a placeholder for no date is an empty cell"
    }
}

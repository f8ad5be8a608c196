import Foundation
import Testing

@testable import IdentitySync

/// A BambooHR export with a layout that declares where the export states its time and rows.
struct StampedFeed {
    static let row =
        "000101,Ana,,Garcia,Nurse,RN01,Nursing,Main Campus,Full-Time,Active,03/04/2019,,,"

    let file: FeedFile
    let layout: FeedLayout

    init(_ text: String, stamp: String) throws {
        file = try FeedFile(text)
        let base = try String(
            contentsOfFile: Fixtures.path("mappings/bamboohr.yaml"), encoding: .utf8)
        let layoutPath = (file.path as NSString).deletingLastPathComponent + "/layout.yaml"
        try (base + stamp).write(toFile: layoutPath, atomically: false, encoding: .utf8)
        layout = try ConfigLoader.loadLayout(layoutPath)
    }

    func read() throws -> FeedSnapshot { try CSVFeed(path: file.path, layout: layout).read() }

    static let trailer = """
        export_stamp:
          trailer: {prefix: "#TRAILER", rows: rows, exported: exported}

        """
}

@Suite struct FeedAgeTests {
    func rows(_ count: Int) -> String {
        (0..<count).map {
            StampedFeed.row.replacingOccurrences(
                of: "000101", with: String(format: "%06d", 101 + $0))
        }
        .joined(separator: "\n")
    }

    func incompleteText(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch FeedError.incomplete(let text) {
            return text
        } catch {
            return "other error: \(error)"
        }
    }

    @Test func aTrailerWithTheRightCountDatesTheFeed() throws {
        let text =
            CSVFeedTests.bambooHeader + rows(3)
            + "\n#TRAILER,rows=3,exported=2026-12-01T05:00:00Z\n"
        let feed = try StampedFeed(text, stamp: StampedFeed.trailer).read()

        #expect(feed.people.count == 3)
        #expect(feed.date?.instant == Fixtures.instant("2026-12-01T05:00:00Z"))
        #expect(feed.date?.source == "exported 2026-12-01T05:00:00Z, per its trailer record")
    }

    @Test func aTrailerCountingOtherRowsStopsTheRun() throws {
        let text =
            CSVFeedTests.bambooHeader + rows(2)
            + "\n#TRAILER,rows=3,exported=2026-12-01T05:00:00Z\n"
        let feed = try StampedFeed(text, stamp: StampedFeed.trailer)

        let problem = incompleteText { _ = try feed.read() }

        #expect(
            problem
                == "\(feed.file.path):4: the export record says 3 rows and 2 were read: the file "
                + "was cut off or edited after the export. Export it again; this cannot be overridden")
    }

    @Test func aMissingTrailerMeansTheExportWasCutOff() throws {
        let feed = try StampedFeed(
            CSVFeedTests.bambooHeader + rows(3) + "\n", stamp: StampedFeed.trailer)

        let problem = incompleteText { _ = try feed.read() }

        #expect(
            problem?.contains(
                "\(feed.file.path):4: the layout says the export ends with a trailer record")
                == true,
            "\(problem ?? "read")")
    }

    @Test func aFirstLineRecordKeepsEveryLineNumber() throws {
        let text =
            "#EXPORT,exported=2026-12-01T05:00:00Z\n" + CSVFeedTests.bambooHeader + rows(1)
            + "\n000102,Bo,,Ray,Nurse,RN01,Nursing,Main Campus,Full-Time,Active,13/45/2019,,,\n"
        let feed = try StampedFeed(
            text,
            stamp: """
                export_stamp:
                  first_line: {prefix: "#EXPORT", exported: exported}

                """
        ).read()

        #expect(feed.date?.instant == Fixtures.instant("2026-12-01T05:00:00Z"))
        #expect(feed.people.first?.source.hasSuffix(":3") == true)
        #expect(feed.quarantined.first?.source.hasSuffix(":4") == true)
    }

    @Test func aFirstLineRecordInACRLFExportIsRead() throws {
        let text = "#EXPORT,exported=2026-12-01T05:00:00Z\r\n"
            + CSVFeedTests.bambooHeader.replacingOccurrences(of: "\n", with: "\r\n") + rows(1) + "\r\n"
        let feed = try StampedFeed(text, stamp: """
            export_stamp:
              first_line: {prefix: "#EXPORT", exported: exported}

            """).read()

        #expect(feed.date?.instant == Fixtures.instant("2026-12-01T05:00:00Z"))
        #expect(feed.people.count == 1)
    }

    @Test func anExportColumnDatesTheFeedByItsOldestValue() throws {
        let header = CSVFeedTests.bambooHeader.replacingOccurrences(of: "\n", with: ",Exported\n")
        let text =
            header + StampedFeed.row + ",2026-12-01T05:00:00Z\n"
            + StampedFeed.row.replacingOccurrences(of: "000101", with: "000102")
            + ",2026-11-30T05:00:00Z\n"
        let feed = try StampedFeed(text, stamp: "export_stamp:\n  column: Exported\n").read()

        #expect(feed.date?.instant == Fixtures.instant("2026-11-30T05:00:00Z"))
    }

    @Test func aFeedOlderThanTheLimitIsStaleNamingFileAgeAndLimit() throws {
        let text =
            CSVFeedTests.bambooHeader + rows(1)
            + "\n#TRAILER,rows=1,exported=2026-12-01T05:00:00Z\n"
        let feed = try StampedFeed(text, stamp: StampedFeed.trailer).read()

        try feed.checkAge(maxAge: 26 * 3600, now: Fixtures.instant("2026-12-02T07:00:00Z"))
        #expect {
            try feed.checkAge(maxAge: 26 * 3600, now: Fixtures.instant("2026-12-02T08:30:00Z"))
        } throws: { error in
            "\(error)".hasPrefix(
                "the feed is stale: \(feed.origin) was exported 2026-12-01T05:00:00Z, per its "
                    + "trailer record: it is 1d 3h 30m old, and feed.max_age is 1d 2h.")
        }
    }

    @Test func aFeedWithoutAStampIsDatedByItsFile() throws {
        let file = try FeedFile(CSVFeedTests.bambooHeader + rows(1) + "\n")
        var old = [
            timespec(tv_sec: 1_700_000_000, tv_nsec: 0),
            timespec(tv_sec: 1_700_000_000, tv_nsec: 0),
        ]
        #expect(utimensat(AT_FDCWD, file.path, &old, 0) == 0)

        let feed = try file.read(layout: "bamboohr")

        #expect(feed.date?.instant == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(throws: FeedError.self) { try feed.checkAge(maxAge: 3600, now: Date()) }
    }

    @Test func maxAgeIsReadAsADuration() throws {
        let config = try ConfigLoader.load(
            path: ConfigFile(
                replacing: "  path: hr/day1.csv\n",
                with: "  path: hr/day1.csv\n  max_age: 26h\n"
            ).path)
        #expect(config.feed.maxAge == TimeInterval(93_600))
    }
}

import Foundation
import Testing

@testable import Connectors
@testable import IdentitySync

/// The paging rules of RFC 7644 §3.4.2.4 as idsync applies them, against scripted servers.
@Suite struct SCIMUserReaderTests {
    static let users = (1...10).map { scimUser($0) }

    func read(_ source: ScriptedPages, pageSize: Int = 4) throws -> SCIMRead {
        try SCIMUserReader(
            source: source, shape: SCIMUserShape(layout: try scimLayout()), pageSize: pageSize
        ).read()
    }

    /// Expects the read to stop as incomplete with a message holding every one of `texts`.
    func expectIncomplete(
        _ source: ScriptedPages, _ texts: String..., pageSize: Int = 4,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let read = try read(source, pageSize: pageSize)
            Issue.record(
                "read \(read.users.count) users; expected an incomplete read",
                sourceLocation: sourceLocation)
        } catch let error as FeedError {
            for text in texts {
                #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func fullPagesAreReadFromStartIndexOne() throws {
        let source = ScriptedPages.serving(Self.users)
        let read = try read(source)
        #expect(read.users.map(\.id) == (1...10).map { "id-\($0)" })
        #expect(source.requests.map(\.startIndex) == [1, 5, 9])
        #expect(source.requests.allSatisfy { $0.count == 4 })
        #expect(read.pages == 3)
    }

    @Test func shortPagesAdvanceByWhatArrived() throws {
        // The server caps pages at 3 although 4 were asked for: legal, and nobody is skipped.
        let source = ScriptedPages.serving(Self.users, cap: 3)
        let read = try read(source)
        #expect(read.users.count == 10)
        #expect(source.requests.map(\.startIndex) == [1, 4, 7, 10])
    }

    @Test func unevenPagesAreLegal() throws {
        let sizes = [1, 4, 2, 3]
        let source = ScriptedPages { startIndex, count, call in
            ScriptedPages.page(
                Self.users, from: startIndex - 1, count: min(count, sizes[call - 1]),
                startIndex: startIndex)
        }
        #expect(try read(source).users.count == 10)
    }

    @Test func anEmptyServerIsAnEmptyRead() throws {
        let source = ScriptedPages.serving([])
        let read = try read(source)
        #expect(read.users.isEmpty && read.totalResults == 0)
        #expect(source.requests.count == 1)
    }

    @Test func aZeroBasedServerIsIncomplete() {
        // It serves from position startIndex (0-based), so the first user is never sent and the
        // last page comes back empty.
        let source = ScriptedPages { startIndex, count, _ in
            ScriptedPages.page(Self.users, from: startIndex, count: count, startIndex: startIndex)
        }
        expectIncomplete(
            source, "page at startIndex 10 is empty", "totalResults is 10", "9 of 10 users")
    }

    @Test func aServerThatEchoesAnotherStartIndexIsIncomplete() {
        let source = ScriptedPages { startIndex, count, _ in
            ScriptedPages.page(
                Self.users, from: startIndex, count: count, startIndex: startIndex - 1)
        }
        expectIncomplete(source, "asked for startIndex 1", "answered with startIndex 0")
    }

    @Test func overlappingPagesAreIncomplete() {
        // Each page after the first starts one user early: the last user of a page comes again.
        let source = ScriptedPages { startIndex, count, _ in
            let from = max(0, startIndex - 2)
            return ScriptedPages.page(Self.users, from: from, count: count, startIndex: startIndex)
        }
        expectIncomplete(source, "id-4 came again", "pages overlap", "4 of 10 users")
    }

    @Test func aTotalThatChangesIsIncomplete() {
        // A user is added after the first page.
        let source = ScriptedPages { startIndex, count, call in
            let users = call == 1 ? Self.users : Self.users + [scimUser(11)]
            return ScriptedPages.page(
                users, from: startIndex - 1, count: count, startIndex: startIndex)
        }
        expectIncomplete(source, "totalResults changed from 10 to 11 at startIndex 5")
    }

    @Test func aPageThatFailsHalfwayIsIncomplete() {
        let source = ScriptedPages { startIndex, count, call in
            guard call < 2 else { throw PageError(description: "HTTP 500 after 4 attempts") }
            return ScriptedPages.page(
                Self.users, from: startIndex - 1, count: count, startIndex: startIndex)
        }
        expectIncomplete(
            source, "page at startIndex 5 failed: HTTP 500 after 4 attempts", "4 of 10 users",
            "in 1 pages")
    }

    @Test func aTotalThatOverstatesTheListIsIncomplete() {
        let source = ScriptedPages { startIndex, count, _ in
            ScriptedPages.page(
                Self.users, from: startIndex - 1, count: count, startIndex: startIndex, total: 12)
        }
        expectIncomplete(source, "page at startIndex 11 is empty", "10 of 12 users")
    }

    @Test func moreUsersThanTheTotalIsIncomplete() {
        let source = ScriptedPages { startIndex, count, _ in
            ScriptedPages.page(
                Self.users, from: startIndex - 1, count: count, startIndex: startIndex, total: 9)
        }
        expectIncomplete(source, "returned 10 users, more than its totalResults 9")
    }

    @Test func anAnswerThatIsNoListResponseIsIncomplete() {
        expectIncomplete(ScriptedPages { _, _, _ in "<html>maintenance</html>" }, "is not JSON")
        expectIncomplete(ScriptedPages { _, _, _ in #"{"Resources":[]}"# }, "has no totalResults")
        expectIncomplete(
            ScriptedPages { _, _, _ in #"{"totalResults":1,"Resources":[{"userName":"x"}]}"# },
            "resource 1 of the page has no id")
    }
}

/// mappings/scim.yaml with the HR extension of the tests for the hire date.
func scimLayout() throws -> FeedLayout {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    var layout = try ConfigLoader.loadLayout(root.appendingPathComponent("mappings/scim.yaml").path)
    let hr = "urn:example:params:scim:schemas:extension:hr:2.0:User"
    layout.columns[.hireDate] = "\(hr):hireDate"
    layout.columns[.terminationDate] = "\(hr):terminationDate"
    layout.columns[.jobCode] = "\(hr):jobCode"
    return layout
}

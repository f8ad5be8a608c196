import IdentitySync

/// Where pages of `/Users` come from: the HTTP client in a run, scripted pages in tests.
public protocol SCIMPageSource {
    /// The Users URL, for messages; it holds no secret.
    var origin: String { get }
    /// The body of a 200 answer to `GET /Users?startIndex=…&count=…`. Throws when there is
    /// none: another status, retries exhausted, a transport failure.
    func fetchPage(startIndex: Int, count: Int) throws -> [UInt8]
}

/// Everything one complete read returned.
struct SCIMRead: Sendable {
    var users: [SCIMUser]
    var totalResults: Int
    var pages: Int
}

/// Reads every User, page by page, as RFC 7644 §3.4.2.4 pages: `startIndex` is 1-based and
/// a server may return fewer resources than `count` on any page.
///
/// The read is complete only when it holds `totalResults` distinct ids. Anything else (an
/// empty page before that, an id seen twice, a total that changes, a page that says it starts
/// elsewhere, a failed page) means the list moved or the server pages differently than the
/// RFC says, and the read stops as incomplete: a feed missing people would make leavers.
struct SCIMUserReader {
    let source: SCIMPageSource
    let shape: SCIMUserShape
    let pageSize: Int

    func read() throws(FeedError) -> SCIMRead {
        var read = SCIMRead(users: [], totalResults: 0, pages: 0)
        var seen: [String: Int] = [:]
        var startIndex = 1
        var total: Int?
        repeat {
            let page = try fetch(startIndex: startIndex, read: read, total: total)
            read.pages += 1
            try check(page, startIndex: startIndex, total: &total, read: read)
            read.totalResults = page.totalResults
            for user in page.users {
                if let earlier = seen[user.id] {
                    throw incomplete(
                        "the user with id \(user.id) came again as user \(read.users.count + 1) "
                            + "of the read (first as user \(earlier)): pages overlap", read)
                }
                seen[user.id] = read.users.count + 1
                read.users.append(user)
            }
            startIndex += page.users.count
        } while read.users.count < read.totalResults
        guard read.users.count == read.totalResults else {
            throw incomplete(
                "the server returned \(read.users.count) users, more than its totalResults "
                    + "\(read.totalResults)", read)
        }
        return read
    }

    private func fetch(startIndex: Int, read: SCIMRead, total: Int?) throws(FeedError) -> SCIMPage {
        let body: [UInt8]
        do {
            body = try source.fetchPage(startIndex: startIndex, count: pageSize)
        } catch {
            throw incomplete("the page at startIndex \(startIndex) failed: \(error)", read)
        }
        do {
            return try SCIMPage.decode(body, shape: shape)
        } catch {
            throw incomplete("the page at startIndex \(startIndex): \(error)", read)
        }
    }

    private func check(_ page: SCIMPage, startIndex: Int, total: inout Int?, read: SCIMRead)
        throws(FeedError)
    {
        if let total, page.totalResults != total {
            throw incomplete(
                "totalResults changed from \(total) to \(page.totalResults) at startIndex "
                    + "\(startIndex): the users changed during the read", read)
        }
        total = page.totalResults
        if let echoed = page.startIndex, echoed != startIndex {
            throw incomplete(
                "asked for startIndex \(startIndex), the server answered with startIndex \(echoed) "
                    + "(RFC 7644 counts from 1)", read)
        }
        if page.users.isEmpty && read.users.count < page.totalResults {
            throw incomplete(
                "the page at startIndex \(startIndex) is empty, but totalResults is "
                    + "\(page.totalResults)", read)
        }
    }

    /// The error that stops the run, with what the read saw so far.
    private func incomplete(_ problem: String, _ read: SCIMRead) -> FeedError {
        .incomplete(
            "SCIM \(source.origin): \(problem); \(read.users.count) of \(read.totalResults) users "
                + "read in \(read.pages) pages of up to \(pageSize)")
    }
}

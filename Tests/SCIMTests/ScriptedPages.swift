import Foundation

@testable import Connectors

/// A SCIM server in memory that answers each page by a script: how the list looks at that
/// moment and what goes wrong. It records every page asked for.
final class ScriptedPages: SCIMPageSource, @unchecked Sendable {
    /// The answer to one request: a body, or an error.
    typealias Script = (_ startIndex: Int, _ count: Int, _ call: Int) throws -> String

    let origin = "https://hr.example.test/scim/v2/Users"
    private let script: Script
    private(set) var requests: [(startIndex: Int, count: Int)] = []

    init(_ script: @escaping Script) {
        self.script = script
    }

    func fetchPage(startIndex: Int, count: Int) throws -> [UInt8] {
        requests.append((startIndex, count))
        return Array(try script(startIndex, count, requests.count).utf8)
    }

    /// A well-behaved server: RFC paging over `users`, at most `cap` per page.
    static func serving(_ users: [String], cap: Int = .max) -> ScriptedPages {
        ScriptedPages { startIndex, count, _ in
            page(users, from: startIndex - 1, count: min(count, cap), startIndex: startIndex)
        }
    }

    /// A ListResponse with `users[from ..< from + count]`, claiming `total` and `startIndex`.
    static func page(_ users: [String], from: Int, count: Int, startIndex: Int, total: Int? = nil)
        -> String
    {
        let slice = users.indices.contains(from) ? users[from..<min(users.count, from + count)] : []
        return """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
             "totalResults":\(total ?? users.count),"startIndex":\(startIndex),"itemsPerPage":\(slice.count),
             "Resources":[\(slice.joined(separator: ","))]}
            """
    }
}

struct PageError: Error, CustomStringConvertible {
    let description: String
}

/// A User resource as a JSON object; `extra` is spliced in as further members.
func scimUser(_ number: Int, active: Bool = true, manager: String? = nil, extra: String = "")
    -> String
{
    let managerPart = manager.map { #","manager":{"value":"\#($0)"}"# } ?? ""
    return """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
         "id":"id-\(number)","userName":"user\(number)","active":\(active),
         "name":{"givenName":"Given\(number)","familyName":"Family\(number)"},
         "title":"Nurse","userType":"Full-Time",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
           {"employeeNumber":"E\(number)","department":"Nursing"\(managerPart)},
         "urn:example:params:scim:schemas:extension:hr:2.0:User":{"hireDate":"2020-01-15"}\(extra)}
        """
}

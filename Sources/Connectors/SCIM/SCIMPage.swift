import Foundation
import IdentitySync

/// The fields a layout reads, compiled once: which attribute path gives each field.
struct SCIMUserShape: Sendable {
    let paths: [(field: HRField, path: SCIMAttributePath)]

    init(layout: FeedLayout) {
        paths = HRField.allCases.compactMap { field in
            layout.columns[field].map { (field, SCIMAttributePath($0)) }
        }
    }
}

/// One User resource, reduced to what the feed needs; the JSON is dropped page by page.
struct SCIMUser: Sendable {
    let id: String
    let userName: String
    /// The text of each field the layout maps, "" when absent, by `HRField` position.
    var values: [String]
    /// Attributes whose value could not be read as text.
    var problems: [String]

    static let fieldIndex: [HRField: Int] = Dictionary(
        uniqueKeysWithValues: HRField.allCases.enumerated().map { ($1, $0) })

    func value(_ field: HRField) -> String {
        values[SCIMUser.fieldIndex[field]!]
    }
}

/// One ListResponse (RFC 7644 §3.4.2): the server's total, where it says the page starts,
/// and the resources on it.
struct SCIMPage: Sendable {
    let totalResults: Int
    let startIndex: Int?
    let users: [SCIMUser]

    /// Decodes the body of a 200 answer, or says why it is no ListResponse.
    static func decode(_ body: [UInt8], shape: SCIMUserShape) throws(SCIMPageProblem) -> SCIMPage {
        let object: [String: Any]
        do {
            object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
        } catch {
            throw SCIMPageProblem("the answer is not JSON (\(body.count) bytes)")
        }
        guard let total = integer(SCIMAttributePath.member("totalResults", of: object)) else {
            throw SCIMPageProblem("the answer is no ListResponse: it has no totalResults")
        }
        guard total >= 0 else {
            throw SCIMPageProblem("the answer gives a negative totalResults, \(total)")
        }
        let resources = SCIMAttributePath.member("Resources", of: object) ?? [Any]()
        guard let list = resources as? [Any] else {
            throw SCIMPageProblem("the answer's Resources is not a list")
        }
        let users = try list.enumerated().map { (position, item) throws(SCIMPageProblem) in
            try user(item, position: position, shape: shape)
        }
        return SCIMPage(
            totalResults: total,
            startIndex: integer(SCIMAttributePath.member("startIndex", of: object)),
            users: users)
    }

    private static func user(_ item: Any, position: Int, shape: SCIMUserShape)
        throws(SCIMPageProblem) -> SCIMUser
    {
        guard let resource = item as? [String: Any],
            let id = SCIMAttributePath.member("id", of: resource) as? String, !id.isEmpty
        else {
            throw SCIMPageProblem(
                "resource \(position + 1) of the page has no id, so a repeat could not be seen")
        }
        var values = [String](repeating: "", count: HRField.allCases.count)
        var problems: [String] = []
        for (field, path) in shape.paths {
            switch path.value(in: resource) {
            case .success(let text): values[SCIMUser.fieldIndex[field]!] = text
            case .failure(let problem): problems.append(problem.text)
            }
        }
        let userName = SCIMAttributePath.member("userName", of: resource) as? String ?? ""
        return SCIMUser(id: id, userName: userName, values: values, problems: problems)
    }

    /// A JSON number that is a whole number; servers that quote numbers are forgiven.
    private static func integer(_ value: Any?) -> Int? {
        if let text = value as? String { return Int(text) }
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else {
            return nil
        }
        let double = number.doubleValue
        return double == double.rounded() && abs(double) < 1e15 ? Int(double) : nil
    }
}

struct SCIMPageProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

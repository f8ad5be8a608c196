import Foundation
import Testing

@testable import Connectors
@testable import IdentitySync

/// User resources to people, through mappings/scim.yaml and the tests' HR extension.
@Suite struct SCIMPeopleTests {
    let origin = "https://hr.example.test/scim/v2/Users"

    func snapshot(_ users: [String]) throws -> FeedSnapshot {
        let source = ScriptedPages.serving(users)
        let layout = try scimLayout()
        let read = try SCIMUserReader(
            source: source, shape: SCIMUserShape(layout: layout), pageSize: 100
        ).read()
        return SCIMPeople.snapshot(read, layout: layout, origin: origin)
    }

    @Test func coreAndEnterpriseAttributesBecomeThePerson() throws {
        let extra = """
            ,"nickName":"Gigi","addresses":[{"type":"home","locality":"Boulder"},
             {"type":"work","locality":"Denver Clinic","primary":true}],
            "urn:example:params:scim:schemas:extension:hr:2.0:User":
              {"hireDate":"2021-03-04","terminationDate":"2026-12-31T00:00:00Z","jobCode":"RN01"}
            """
        let person = try #require(try snapshot([scimUser(1, extra: extra)]).people.first)
        #expect(person.employeeID == "E1")
        #expect(
            person.firstName == "Given1" && person.lastName == "Family1"
                && person.preferredName == "Gigi")
        #expect(
            person.jobTitle == "Nurse" && person.jobCode == "RN01" && person.department == "Nursing"
        )
        #expect(person.location == "Denver Clinic")
        #expect(person.workerType == "Full-Time" && person.workerCategory == .employee)
        #expect(person.status == .active)
        #expect(person.hireDate == LocalDate(iso: "2021-03-04"))
        // The date a dateTime is written with, not that instant in another zone.
        #expect(person.terminationDate == LocalDate(iso: "2026-12-31"))
        #expect(person.source == "\(origin)/id-1 (user1)")
    }

    @Test func activeFalseIsTerminated() throws {
        let people = try snapshot([scimUser(1, active: false), scimUser(2)]).people
        #expect(people.map(\.status) == [.terminated, .active])
    }

    @Test func theManagersScimIDBecomesTheirEmployeeID() throws {
        let people = try snapshot([
            scimUser(1), scimUser(2, manager: "id-1"), scimUser(3, manager: "E9"),
        ]).people
        #expect(people.map(\.managerID) == [nil, "E1", "E9"])
    }

    @Test func attributeNamesAreCaseInsensitive() throws {
        let user = #"""
            {"id":"x","USERNAME":"u","Active":true,"NAME":{"GivenName":"Ann","FAMILYNAME":"Lee"},
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"EmployeeNumber":"E7"},
             "urn:example:params:scim:schemas:extension:hr:2.0:User":{"HIREDATE":"2020-01-01"}}
            """#
        let person = try #require(try snapshot([user]).people.first)
        #expect(person.employeeID == "E7" && person.firstName == "Ann" && person.lastName == "Lee")
    }

    @Test func aBadValueQuarantinesOnlyThatUser() throws {
        let bad = scimUser(
            2,
            extra:
                #","urn:example:params:scim:schemas:extension:hr:2.0:User":{"hireDate":"15/01/2020"}"#
        )
        let feed = try snapshot([scimUser(1), bad])
        #expect(feed.people.map(\.employeeID) == ["E1"])
        let record = try #require(feed.quarantined.first)
        #expect(record.employeeID == "E2")
        #expect(record.source == "\(origin)/id-2 (user2)")
        #expect(
            record.problems == [
                "attribute 'urn:example:params:scim:schemas:extension:hr:2.0:User:hireDate': "
                    + "'15/01/2020' is not a date in the layout yyyy-MM-dd nor a dateTime"
            ])
        #expect(feed.rowCount == 2)
    }

    /// 0001-01-01 stands for "no date" in some systems: no hire or last day HR meant.
    @Test(arguments: ["0001-01-01", "0001-01-01T00:00:00Z"])
    func aDateBefore1900QuarantinesTheUser(value: String) throws {
        let hr = "urn:example:params:scim:schemas:extension:hr:2.0:User"
        let placeholder = scimUser(2, extra: #","\#(hr)":{"hireDate":"\#(value)"}"#)

        let feed = try snapshot([scimUser(1), placeholder])

        #expect(feed.people.map(\.employeeID) == ["E1"])
        #expect(feed.quarantined.first?.problems == [
            "attribute '\(hr):hireDate': '0001-01-01' lies outside the years idsync "
                + "takes (1900-9999); a placeholder for no date is an empty cell"
        ])
    }

    @Test func aTabInANameQuarantinesTheUserAsInTheCSVFeed() throws {
        let tabbed = scimUser(2).replacingOccurrences(of: "\"Given2\"", with: "\"Giv\\ten2\"")
        #expect(tabbed.contains("Giv\\ten2"))

        let feed = try snapshot([scimUser(1), tabbed])

        #expect(feed.people.map(\.employeeID) == ["E1"])
        #expect(feed.quarantined.first?.problems == [
            "attribute 'name.givenName' holds a tab at character 4; fix the value in HR"
        ])
    }

    @Test func aTerminationStatedPlainlyStillDisablesAQuarantinedUser() throws {
        let bad = scimUser(2, active: false, extra: #","title":{"x":1}"#)
        let record = try #require(try snapshot([bad]).quarantined.first)
        #expect(record.problems.first?.contains("attribute 'title' is an object") == true)
        #expect(record.termination?.status == .terminated)
    }

    @Test func aMissingEmployeeNumberIsQuarantined() throws {
        let user =
            #"{"id":"x","userName":"u","active":true,"name":{"givenName":"A","familyName":"B"}}"#
        let record = try #require(try snapshot([user]).quarantined.first)
        #expect(record.employeeID == nil)
        #expect(
            record.problems.contains(
                "attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber' is empty"
            ))
    }

    @Test func oneEmployeeNumberOnTwoUsersQuarantinesBoth() throws {
        let twin = scimUser(1).replacingOccurrences(of: "\"id-1\"", with: "\"id-1b\"")
        let feed = try snapshot([scimUser(1), twin])
        #expect(feed.people.isEmpty)
        #expect(feed.quarantined.count == 2)
        #expect(feed.quarantined[0].problems[0].contains("employee id E1 is on two users"))
    }

    @Test func aWorkerConversionKeepsTheActiveUser() throws {
        let old = scimUser(1, active: false).replacingOccurrences(
            of: "\"id-1\"", with: "\"id-old\"")
        let feed = try snapshot([old, scimUser(1)])
        #expect(feed.people.map(\.source) == ["\(origin)/id-1 (user1)"])
        #expect(feed.notices.count == 1)
    }

    @Test func peopleComeInEmployeeIDOrder() throws {
        let feed = try snapshot([scimUser(3), scimUser(1), scimUser(2)])
        #expect(feed.people.map(\.employeeID) == ["E1", "E2", "E3"])
    }
}

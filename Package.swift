// swift-tools-version:6.0
import PackageDescription

// The core (IdentitySync) imports no C module, so its unit tests need no server.
// C libraries come from Debian: libldap-dev, libyaml-dev and libcurl4-openssl-dev.
let package = Package(
    name: "idsync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "idsync", targets: ["idsync"]),
    ],
    targets: [
        .systemLibrary(name: "CLDAP", path: "Sources/CLDAP"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(name: "CLDAPShim", dependencies: ["CLDAP"],
                linkerSettings: [.linkedLibrary("ldap"), .linkedLibrary("lber")]),
        .target(name: "CCurlShim", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "LDAP", dependencies: ["CLDAP", "CLDAPShim"]),
        .target(name: "Loopback"),
        .target(name: "HTTP", dependencies: ["CCurl", "CCurlShim", "Loopback"]),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "IdentitySync", dependencies: ["YAML", "Loopback"]),
        .target(name: "Connectors", dependencies: ["IdentitySync", "LDAP", "HTTP"]),
        .executableTarget(name: "idsync", dependencies: ["IdentitySync", "Connectors"]),
        .testTarget(name: "IdentitySyncTests", dependencies: ["IdentitySync", "YAML"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"],
                    exclude: ["scripted_server.py"]),
        .testTarget(name: "MFATests", dependencies: ["Connectors", "IdentitySync", "HTTP", "TestSupport"],
                    exclude: ["fake_vendors.py", "exec_program.py"]),
        .testTarget(name: "DirectoryTests", dependencies: ["LDAP", "Connectors", "IdentitySync", "HTTP",
                                                           "TestSupport"]),
        .testTarget(name: "SCIMTests", dependencies: ["Connectors", "IdentitySync"]),
    ]
)

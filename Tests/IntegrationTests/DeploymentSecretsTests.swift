import Foundation
import LightningCore
import LightningStore
import Testing

/// How a deployment hands out secrets (docker-compose.yml's `keys` service and Docker secrets): files
/// named by `LIGHTNING_…_FILE`, written by `lightning-ctl keygen --write`.
@Suite struct DeploymentSecretsTests {
    @Test("keygen --write makes a deployment's keys and keeps them on a rerun; a store reading them through _FILE admits ctl with its key only; a missing key file stops ctl with its name")
    func curveKeysThroughFiles() async throws {
        let directory = NSTemporaryDirectory() + "lt-keys-" + Identifier.make("")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Ctl.run(["keygen", "--write", directory, "--clients", "runner,ctl"])
        #expect(first.status == 0, "\(first.stderr)")
        let read = { (name: String) in try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) }
        let (ctlSecret, storePublic) = (try read("ctl.secret"), try read("store.public"))
        #expect(try read("allowed").trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").count == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/store.secret")[.posixPermissions] as? Int
        #expect(mode == 0o600, "secrets are readable by their owner only")
        let again = try await Ctl.run(["keygen", "--write", directory, "--clients", "runner,ctl"])
        let (ctlAgain, storeAgain) = (try read("ctl.secret"), try read("store.public"))
        #expect(again.status == 0 && ctlAgain == ctlSecret && storeAgain == storePublic)

        let database = try await TestDatabase.create()
        let store = try StoreProcess(databaseURL: database.url, name: Identifier.make("keys"), extraEnvironment: [
            "LIGHTNING_CURVE_SECRET_KEY_FILE": "\(directory)/store.secret", "LIGHTNING_CURVE_ALLOWED_KEYS_FILE": "\(directory)/allowed",
        ])
        let keyed = ["LIGHTNING_CURVE_SERVER_KEY_FILE": "\(directory)/store.public", "LIGHTNING_CURVE_SECRET_KEY_FILE": "\(directory)/ctl.secret"]
        let arguments = ["jobs", "--store", store.requestEndpoint, "--timeout", "2"]
        try await eventually(timeout: .seconds(30), "ctl with the deployment's key gets an answer") {
            (try await Ctl.run(arguments, environment: keyed)).status == 0
        }
        let bare = try await Ctl.run(arguments)
        #expect(bare.status == 3, "a client without keys is not let in: \(bare.status) \(bare.stderr)")
        var missing = keyed
        missing["LIGHTNING_CURVE_SECRET_KEY_FILE"] = "\(directory)/nobody.secret"
        let refused = try await Ctl.run(arguments, environment: missing)
        #expect(refused.status == 2 && refused.stderr.contains("LIGHTNING_CURVE_SECRET_KEY_FILE names \(directory)/nobody.secret"), "\(refused.stderr)")
        await store.stop()
        await database.drop()
    }

    @Test("LIGHTNING_DATABASE_PASSWORD replaces the URL's password, unencoded characters included")
    func databasePassword() {
        let url = DatabaseURL.setting(password: "p@ss:/word", in: "postgres://lightning@postgres:5432/lightning?sslmode=disable")
        let components = URLComponents(string: url)
        #expect(components?.user == "lightning" && components?.password?.removingPercentEncoding == "p@ss:/word")
        #expect(components?.host == "postgres" && components?.path == "/lightning" && components?.query == "sslmode=disable")
        #expect(URLComponents(string: DatabaseURL.setting(password: "x", in: "postgres://db/lightning"))?.user == "postgres")
    }
}

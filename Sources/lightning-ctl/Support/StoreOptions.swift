import ArgumentParser
import LightningClient
import LightningCore
import LightningServices
import LightningWire

/// The options of every command that talks to the store: where it is, how long to wait for it, and
/// the CurveZMQ keys (as the runner takes them).
struct StoreOptions: ParsableArguments {
    @Option(help: "Store request endpoints, comma-separated [env: LIGHTNING_STORE]")
    var store = Environment.string("LIGHTNING_STORE", default: "tcp://127.0.0.1:5555")

    @Option(help: "Seconds to wait for the store before giving up with exit code 3 [env: LIGHTNING_CTL_TIMEOUT]")
    var timeout = Environment.double("LIGHTNING_CTL_TIMEOUT", default: 5)

    @Option(help: "The store's CurveZMQ public key [env: LIGHTNING_CURVE_SERVER_KEY]")
    var curveServerKey: String?

    @Option(help: "This client's CurveZMQ secret key [env: LIGHTNING_CURVE_SECRET_KEY]")
    var curveSecretKey: String?

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    var endpoints: [String] {
        store.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Runs `body` with a connected client and turns store errors into `CtlFailure`s.
    func withClient<T>(_ body: (StoreClient) async throws -> T) async throws -> T {
        let client: StoreClient
        do {
            // A short budget for a person at a terminal: one wait of `timeout`, passing errors retried within it.
            let wait = Duration.milliseconds(Int64(timeout * 1000))
            client = try StoreClient(
                configuration: StoreClientConfiguration(
                    endpoints: endpoints, security: try curveSecurity(), requestTimeout: wait, retry: RetryPolicy(budget: wait)),
                logger: Output.quietLogger)
        } catch let error as ZMQError {
            throw CtlFailure.usage("cannot use store endpoint '\(store)' or the CurveZMQ keys: \(error)")
        } catch let error as LightningError {
            throw CtlFailure.usage(error.message)
        }
        defer { client.close() }
        do {
            return try await body(client)
        } catch let error as LightningError {
            throw failure(for: error)
        }
    }

    /// The exit code and message of a store error.
    func failure(for error: LightningError) -> CtlFailure {
        switch error.code {
        case .notFound:
            CtlFailure(.notFound, error.message)
        case .timeout:
            CtlFailure(.unreachable, "no answer from the store at \(store) within \(Format.seconds(timeout)); is lightning-store running there (and are the CurveZMQ keys right)?")
        case .unavailable, .overloaded:
            CtlFailure(.unreachable, "the store at \(store) cannot serve now: \(error.message)")
        case .badRequest:
            CtlFailure(.usage, error.message)
        default:
            CtlFailure(.failure, "the store refused: \(error)")
        }
    }

    private func curveSecurity() throws -> CurveClientSecurity? {
        do {
            return try CurveClientSecurity.keys(
                server: curveServerKey ?? Environment.string("LIGHTNING_CURVE_SERVER_KEY"),
                secret: curveSecretKey ?? Environment.string("LIGHTNING_CURVE_SECRET_KEY"))
        } catch let error as LightningError where error.code == .badRequest {
            throw CtlFailure.usage("CurveZMQ needs both --curve-server-key and --curve-secret-key")
        }
    }
}

import Foundation
import LightningCore

/// The fields every response and chunk of one call repeats.
struct ResponseHeader: Sendable {
    let id: String
    let created: Int
    let model: String

    init(kind: ServingCall.Kind, model: String) {
        id = (kind == .chat ? "chatcmpl-" : "cmpl-") + Identifier.traceID()
        created = Int(Date().timeIntervalSince1970)
        self.model = model
    }

    /// `system_fingerprint`: names the weights version that produced the tokens.
    static func fingerprint(_ version: Int) -> String { "lightning-v\(version)" }
}

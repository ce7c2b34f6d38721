import Foundation

/// A versioned set of named resources that rollouts run with: the model endpoint, a prompt template, …
/// Each entry is a JSON object; by convention `llm` holds `endpoint`, `model` and `weights_version`,
/// and `prompt_template` holds `template`.
public struct Resources: Sendable, Hashable {
    public var resourcesID: String
    /// Strictly increasing across the store; the latest resources have the highest version.
    public var version: Int64
    public var entries: [String: JSONText]
    public var createdAt: Date

    public init(resourcesID: String, version: Int64, entries: [String: JSONText], createdAt: Date = Date()) {
        self.resourcesID = resourcesID
        self.version = version
        self.entries = entries
        self.createdAt = createdAt
    }
}

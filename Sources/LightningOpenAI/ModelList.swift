/// The answer of `GET /v1/models`.
public struct ModelList: Codable, Sendable, Hashable {
    /// One served model.
    public struct Model: Codable, Sendable, Hashable {
        public var id: String
        /// Always `model`.
        public var object: String
        /// Unix seconds.
        public var created: Int
        public var ownedBy: String

        public init(id: String, created: Int, ownedBy: String = "lightning") {
            self.id = id
            self.object = "model"
            self.created = created
            self.ownedBy = ownedBy
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }

    /// Always `list`.
    public var object: String
    public var data: [Model]

    public init(data: [Model]) {
        self.object = "list"
        self.data = data
    }
}

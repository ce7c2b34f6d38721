import Foundation
import LightningCore
import PostgresNIO

extension PostgresStore {
    public func addResources(_ entries: [String: JSONText], resourcesID: String?) async throws -> Resources {
        guard !entries.isEmpty else { throw LightningError(.badRequest, "resources need at least one entry") }
        for (name, value) in entries {
            try Validation.identifier(name, field: "resource name")
            try Validation.json(value, field: "resource \(name)", opening: UInt8(ascii: "{"))
        }
        if let resourcesID { try Validation.identifier(resourcesID, field: "resources_id") }
        let id = resourcesID ?? Identifier.resources()
        let document = "{" + entries.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\($0.value.text)" }.joined(separator: ",") + "}"
        let rows = try await database.query(
            "add_resources",
            try PostgresQuery(
                """
                WITH inserted AS (
                    INSERT INTO resources (resources_id, entries) VALUES ($1, $2::jsonb)
                    ON CONFLICT (resources_id) DO NOTHING RETURNING resources_id, version, entries::text, created_at
                )
                SELECT * FROM inserted
                UNION ALL
                SELECT resources_id, version, entries::text, created_at FROM resources
                WHERE resources_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                id, document
            )
        )
        let resources = try readResources(rows).first
        guard let resources else { throw LightningError(.internal, "add_resources returned nothing") }
        let sent = try entries.mapValues { value throws(LightningError) in try value.value() }
        let stored = try resources.entries.mapValues { value throws(LightningError) in try value.value() }
        if sent != stored {
            throw LightningError(.conflict, "resources \(id) exist with different entries")
        }
        events.publish([.resources(resourcesID: resources.resourcesID, version: resources.version)])
        return resources
    }

    public func getLatestResources() async throws -> Resources? {
        let rows = try await database.query(
            "get_latest_resources",
            "SELECT resources_id, version, entries::text, created_at FROM resources ORDER BY version DESC LIMIT 1"
        )
        return try readResources(rows).first
    }

    public func getResources(resourcesID: String) async throws -> Resources {
        try Validation.identifier(resourcesID, field: "resources_id")
        let rows = try await database.query(
            "get_resources",
            try PostgresQuery("SELECT resources_id, version, entries::text, created_at FROM resources WHERE resources_id = $1", resourcesID)
        )
        guard let resources = try readResources(rows).first else { throw LightningError.notFound("resources", resourcesID) }
        return resources
    }

    private func readResources(_ rows: [PostgresRow]) throws(LightningError) -> [Resources] {
        try decode("resources") {
            try rows.map { row in
                var reader = RowReader(row)
                let id: String = try reader.next()
                let version: Int64 = try reader.next()
                let entries: String = try reader.next()
                let createdAt: Date = try reader.next()
                let object = try JSONText(unchecked: entries).value().objectValue ?? [:]
                return Resources(
                    resourcesID: id, version: version,
                    entries: try object.mapValues { value throws(LightningError) in try JSONText(encoding: value) }, createdAt: createdAt
                )
            }
        }
    }
}

/// A string as a JSON string literal.
func jsonString(_ text: String) -> String {
    (try? JSONText(encoding: text).text) ?? "\"\""
}

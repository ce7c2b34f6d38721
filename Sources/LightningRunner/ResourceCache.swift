import LightningCore

/// Resources fetched once per version: a rollout names a resources id, or none for the latest.
final class ResourceCache: Sendable {
    private let store: any LightningStoreAPI
    private let cache = Locked<[String: Resources]>([:])

    init(store: any LightningStoreAPI) {
        self.store = store
    }

    func resources(for rollout: Rollout) async throws -> Resources? {
        if let id = rollout.resourcesID {
            if let cached = cache.withLock({ $0[id] }) { return cached }
            let resources = try await store.getResources(resourcesID: id)
            cache.withLock { $0[id] = resources }
            return resources
        }
        // The latest may change at any time, so it is asked for; its entries are cached by id all the same.
        guard let latest = try await store.getLatestResources() else { return nil }
        cache.withLock { $0[latest.resourcesID] = latest }
        return latest
    }
}

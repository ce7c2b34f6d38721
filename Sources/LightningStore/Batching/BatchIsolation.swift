import LightningCore

/// Runs a batch as one database operation; when it fails for a reason that one bad item could cause
/// (a refused value, a conflict), runs each item on its own so the others still succeed and only the
/// culprit gets the error. An unavailable database fails the whole batch at once.
func isolatingFailures<Item: Sendable, Output: Sendable>(
    _ items: [Item], _ operation: ([Item]) async throws(LightningError) -> [Result<Output, LightningError>]
) async -> [Result<Output, LightningError>] {
    do {
        return try await operation(items)
    } catch {
        if items.count == 1 || error.code == .unavailable || error.code == .timeout {
            return Array(repeating: .failure(error), count: items.count)
        }
        var results: [Result<Output, LightningError>] = []
        results.reserveCapacity(items.count)
        for item in items {
            do {
                results.append(contentsOf: try await operation([item]))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

import Foundation

/// Keys and values of every layer in fixed-size pages shared by all sequence slots: a slot holds only
/// the pages its positions need, so a model with a long context (SmolLM2: 8,192 positions) can run
/// many short sequences in a bounded amount of memory.
///
/// Layout of one page: `[layers, kvHeads, pageSize, headSize]` for keys and the same for values, so a
/// head's positions within a page are one dense `[pageSize, headSize]` matrix. The storage is reserved
/// with `mmap` and committed by the kernel page by page as positions are written: the process's
/// memory grows with the positions in use, not with the capacity.
final class PagedKVCache {
    static let pageSize = 64

    let layers: Int
    let kvHeads: Int
    let headSize: Int
    let pageCount: Int
    private let storage: UnsafeMutableRawPointer
    private let storageBytes: Int
    /// Floats of one layer's keys (or values) in one page.
    let layerStride: Int
    /// Floats of one page (keys and values of all layers).
    private let pageStride: Int
    private var freePages: [Int32]
    /// Pages of each slot, in position order.
    private(set) var tables: [[Int32]]

    /// A cache for `slots` sequences of at most `capacity` positions in total (rounded up to pages).
    init(layers: Int, kvHeads: Int, headSize: Int, slots: Int, capacity: Int) {
        self.layers = layers
        self.kvHeads = kvHeads
        self.headSize = headSize
        pageCount = max(1, (capacity + Self.pageSize - 1) / Self.pageSize)
        layerStride = kvHeads * Self.pageSize * headSize
        pageStride = 2 * layers * layerStride
        storageBytes = max(1, pageCount * pageStride * 4)
        let mapped = mmap(nil, storageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        precondition(mapped != MAP_FAILED, "PagedKVCache: cannot reserve \(storageBytes) bytes of address space")
        storage = mapped!
        freePages = (0..<Int32(pageCount)).reversed().map { $0 }
        tables = Array(repeating: [], count: slots)
    }

    deinit {
        munmap(storage, storageBytes)
    }

    /// Bytes of one position of every layer (keys and values).
    var bytesPerPosition: Int { 2 * layers * kvHeads * headSize * 4 }

    /// Positions that can still be given out.
    var freePositions: Int { freePages.count * Self.pageSize }

    /// Pages needed for `positions` positions.
    static func pages(for positions: Int) -> Int { (positions + pageSize - 1) / pageSize }

    /// Makes `slot` hold at least `positions` positions; false (and nothing taken) when too few pages are free.
    func reserve(slot: Int, positions: Int) -> Bool {
        let needed = Self.pages(for: positions) - tables[slot].count
        guard needed > 0 else { return true }
        guard needed <= freePages.count else { return false }
        for _ in 0..<needed { tables[slot].append(freePages.removeLast()) }
        return true
    }

    /// Whether `positions` more positions could be reserved for `slots` new slots.
    func canReserve(positions: Int, slots: Int) -> Bool { Self.pages(for: positions) * slots <= freePages.count }

    /// Returns the pages of `slot`.
    func release(slot: Int) {
        freePages += tables[slot].reversed()
        tables[slot].removeAll()
    }

    /// Keys of one layer and page: `[kvHeads, pageSize, headSize]`.
    @inline(__always)
    func keys(layer: Int, page: Int32) -> UnsafeMutablePointer<Float> {
        storage.assumingMemoryBound(to: Float.self) + Int(page) * pageStride + layer * layerStride
    }

    /// Values of one layer and page: `[kvHeads, pageSize, headSize]`.
    @inline(__always)
    func values(layer: Int, page: Int32) -> UnsafeMutablePointer<Float> {
        keys(layer: layer, page: page) + layers * layerStride
    }

    /// Stores the keys and values of `slot` at `position` (heads side by side in `k` and `v`).
    @inline(__always)
    func store(layer: Int, slot: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        let page = tables[slot][position / Self.pageSize], row = (position % Self.pageSize) * headSize
        let kp = keys(layer: layer, page: page), vp = values(layer: layer, page: page)
        for h in 0..<kvHeads {
            (kp + h * Self.pageSize * headSize + row).update(from: k + h * headSize, count: headSize)
            (vp + h * Self.pageSize * headSize + row).update(from: v + h * headSize, count: headSize)
        }
    }

    /// Copies the first `positions` positions of `source` into `destination` (which must hold them).
    func copy(from source: Int, to destination: Int, positions: Int) {
        guard source != destination, positions > 0 else { return }
        for p in 0..<Self.pages(for: positions) {
            let from = storage + Int(tables[source][p]) * pageStride * 4
            let to = storage + Int(tables[destination][p]) * pageStride * 4
            to.copyMemory(from: from, byteCount: pageStride * 4)
        }
    }
}

/// Merges a word's symbols by rank, lowest first and leftmost among equal ranks (as `tokenizers` does),
/// with a heap of candidate pairs: O(n log n), so a 100 KB run of one character stays fast.
enum BytePairMerge {
    static func merge(_ symbols: [Int32], merges: [UInt64: (rank: Int32, id: Int32)]) -> [Int32] {
        guard symbols.count > 1 else { return symbols }
        var ids = symbols
        var next = Array(1...symbols.count), previous = Array(-1..<(symbols.count - 1))
        var alive = [Bool](repeating: true, count: symbols.count)
        var heap = PairHeap()
        func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        func push(_ left: Int) {
            let right = next[left]
            guard left >= 0, right < ids.count, let merge = merges[key(ids[left], ids[right])] else { return }
            heap.push(Pair(rank: merge.rank, left: Int32(left), leftID: ids[left], rightID: ids[right]))
        }
        for i in 0..<(ids.count - 1) { push(i) }
        while let pair = heap.pop() {
            let left = Int(pair.left)
            guard alive[left], ids[left] == pair.leftID else { continue }
            let right = next[left]
            guard right < ids.count, ids[right] == pair.rightID, let merge = merges[key(pair.leftID, pair.rightID)] else { continue }
            ids[left] = merge.id
            alive[right] = false
            next[left] = next[right]
            if next[right] < ids.count { previous[next[right]] = left }
            if previous[left] >= 0 { push(previous[left]) }
            push(left)
        }
        return (0..<ids.count).compactMap { alive[$0] ? ids[$0] : nil }
    }

    struct Pair {
        var rank: Int32
        var left: Int32
        var leftID: Int32
        var rightID: Int32

        func before(_ other: Pair) -> Bool { rank != other.rank ? rank < other.rank : left < other.left }
    }

    /// A binary min-heap of pairs.
    struct PairHeap {
        var items: [Pair] = []

        mutating func push(_ pair: Pair) {
            items.append(pair)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[i].before(items[parent]) else { break }
                items.swapAt(i, parent)
                i = parent
            }
        }

        mutating func pop() -> Pair? {
            guard let first = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var best = i
                    if l < items.count, items[l].before(items[best]) { best = l }
                    if r < items.count, items[r].before(items[best]) { best = r }
                    guard best != i else { break }
                    items.swapAt(i, best)
                    i = best
                }
            }
            return first
        }
    }
}

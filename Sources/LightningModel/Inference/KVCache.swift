/// Keys and values of every layer for a fixed number of sequence slots, allocated once, laid out
/// `[layers, slots, heads, context, headSize]`: one head of one sequence is a contiguous
/// `[context, headSize]` block, so decoding reads it as one dense matrix.
final class KVCache {
    let layers: Int
    let slots: Int
    let context: Int
    let width: Int
    let heads: Int
    let headSize: Int
    private let keyStorage: FloatBuffer
    private let valueStorage: FloatBuffer

    init(config: ModelConfig, slots: Int) {
        layers = config.layers
        self.slots = slots
        context = config.context
        width = config.width
        heads = config.heads
        headSize = config.headSize
        keyStorage = FloatBuffer(count: layers * slots * context * width)
        valueStorage = FloatBuffer(count: layers * slots * context * width)
    }

    /// Keys of one head: `[context, headSize]`, row stride `headSize`.
    @inline(__always)
    func keys(layer: Int, slot: Int, head: Int) -> UnsafeMutablePointer<Float> {
        keyStorage.pointer + (((layer * slots + slot) * heads + head) * context) * headSize
    }

    /// Values of one head: `[context, headSize]`, row stride `headSize`.
    @inline(__always)
    func values(layer: Int, slot: Int, head: Int) -> UnsafeMutablePointer<Float> {
        valueStorage.pointer + (((layer * slots + slot) * heads + head) * context) * headSize
    }

    /// Stores one position's keys and values (`width` floats each, heads side by side).
    @inline(__always)
    func store(layer: Int, slot: Int, position: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        for h in 0..<heads {
            (keys(layer: layer, slot: slot, head: h) + position * headSize).update(from: k + h * headSize, count: headSize)
            (values(layer: layer, slot: slot, head: h) + position * headSize).update(from: v + h * headSize, count: headSize)
        }
    }

    /// Copies the first `positions` positions of every layer from one slot to another (to fork `n`
    /// choices after one shared prefill).
    func copy(from source: Int, to destination: Int, positions: Int) {
        guard source != destination, positions > 0 else { return }
        for l in 0..<layers {
            for h in 0..<heads {
                keys(layer: l, slot: destination, head: h)
                    .update(from: keys(layer: l, slot: source, head: h), count: positions * headSize)
                values(layer: l, slot: destination, head: h)
                    .update(from: values(layer: l, slot: source, head: h), count: positions * headSize)
            }
        }
    }
}

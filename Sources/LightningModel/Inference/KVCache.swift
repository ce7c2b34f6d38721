/// Keys and values of every layer for a fixed number of sequence slots, `[layers, slots, context,
/// width]` each, allocated once. A slot's keys for one layer are a `[context, width]` row-major block,
/// so one head is a strided view (leading dimension `width`).
final class KVCache {
    let layers: Int
    let slots: Int
    let context: Int
    let width: Int
    private let keyStorage: FloatBuffer
    private let valueStorage: FloatBuffer

    init(config: ModelConfig, slots: Int) {
        layers = config.layers
        self.slots = slots
        context = config.context
        width = config.width
        keyStorage = FloatBuffer(count: layers * slots * context * width)
        valueStorage = FloatBuffer(count: layers * slots * context * width)
    }

    @inline(__always)
    func keys(layer: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        keyStorage.pointer + ((layer * slots + slot) * context) * width
    }

    @inline(__always)
    func values(layer: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        valueStorage.pointer + ((layer * slots + slot) * context) * width
    }

    /// Copies the first `positions` positions of every layer from one slot to another (to fork `n`
    /// choices after one shared prefill).
    func copy(from source: Int, to destination: Int, positions: Int) {
        guard source != destination, positions > 0 else { return }
        for l in 0..<layers {
            keys(layer: l, slot: destination).update(from: keys(layer: l, slot: source), count: positions * width)
            values(layer: l, slot: destination).update(from: values(layer: l, slot: source), count: positions * width)
        }
    }
}

/// A fixed-size, 64-byte aligned block of floats that owns its memory (freed on deinit).
///
/// The model keeps parameters, gradients, optimizer moments and activations in a few of these, so
/// hot loops work on raw pointers into contiguous memory and nothing is allocated per step.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A zero-filled buffer of `count` floats.
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    /// A buffer holding a copy of `values`.
    convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(count: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    deinit {
        pointer.deallocate()
    }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    func zero() { pointer.update(repeating: 0, count: count) }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// A zero-filled buffer holding slices of `sizes` floats one after another, each rounded up to 16
    /// floats so that every slice starts on a 64-byte boundary, and the slices' start pointers in order.
    static func carved(_ sizes: [Int]) -> (buffer: FloatBuffer, slices: [UnsafeMutablePointer<Float>]) {
        let rounded = sizes.map { ($0 + 15) / 16 * 16 }
        let buffer = FloatBuffer(count: rounded.reduce(0, +))
        var cursor = buffer.pointer, slices: [UnsafeMutablePointer<Float>] = []
        for size in rounded {
            slices.append(cursor)
            cursor += size
        }
        return (buffer, slices)
    }
}

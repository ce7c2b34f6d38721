import CQuantKernels

/// Matrices that multiply the same input, their outputs side by side (`[q | k | v]`, `[gate | up]`),
/// run as one parallel loop: fewer hand-offs to the workers than one product each, and the matrices
/// may have different encodings (K-quant files often store `v` in another type than `q` and `k`).
///
/// `@unchecked Sendable`: immutable after the initializer.
public final class MatrixGroup: @unchecked Sendable {
    let matrices: [PackedMatrix]
    /// Output column where each matrix's rows start.
    let offsets: [Int]
    /// Whether any matrix is quantized (and so takes quantized inputs).
    private let quantized: Bool
    /// Output features of all matrices.
    public let rows: Int
    public let columns: Int
    /// Parallel tasks `(matrix, rows)` for few input rows (vector kernels) and for many (tiles).
    private let vectorTasks: [(Int, Range<Int>)]
    private let tileTasks: [(Int, Range<Int>)]

    /// Matrices with the same column count.
    init(_ matrices: [PackedMatrix]) {
        precondition(!matrices.isEmpty && matrices.allSatisfy { $0.columns == matrices[0].columns },
                     "MatrixGroup: the matrices must share their column count")
        self.matrices = matrices
        quantized = matrices.contains { $0.encoding != .dense }
        var offsets: [Int] = [], total = 0
        for m in matrices {
            offsets.append(total)
            total += m.rows
        }
        self.offsets = offsets
        rows = total
        columns = matrices[0].columns
        // About 8 vector tasks per worker of two (rows in multiples of 16): small enough to balance a
        // core that is busy elsewhere, large enough that claiming a task costs nothing.
        let piece = max(16, (total / 16 + 15) / 16 * 16)
        func split(_ size: Int) -> [(Int, Range<Int>)] {
            matrices.enumerated().flatMap { index, m in
                stride(from: 0, to: m.rows, by: size).map { (index, $0..<min(m.rows, $0 + size)) }
            }
        }
        vectorTasks = split(piece)
        tileTasks = split(PackedMatrix.tileRows)
    }

    /// `Y[count, rows] = X[count, columns] · [W₀; W₁; …]ᵀ` (or `+=` when `accumulate`), split over
    /// `pool`. Rows of `X` are `ldx` floats apart, rows of `Y` `ldy`.
    func multiply(
        _ pool: WorkerPool, input x: UnsafePointer<Float>, ldx: Int, count: Int, output y: UnsafeMutablePointer<Float>,
        ldy: Int, accumulate: Bool = false, scratch: TileScratch
    ) {
        guard count > 0 else { return }
        let tasks = count >= PackedMatrix.gemmRows ? tileTasks : vectorTasks
        // The integer kernels of every matrix share one quantization of the input rows.
        let inputs = count < PackedMatrix.gemmRows && quantized ? scratch.quantize(x, ldx: ldx, count: count, columns: columns)
            : scratch.unquantized
        let work = count * rows * columns
        if work < WorkerPool.serialWork {
            for (index, range) in tasks {
                matrices[index].multiply(rows: range, input: x, ldx: ldx, count: count, output: y + offsets[index], ldy: ldy,
                                         accumulate: accumulate, tile: scratch.tile(worker: 0), inputs: inputs)
            }
            return
        }
        pool.run(tasks.count) { task, worker in
            let (index, range) = tasks[task]
            self.matrices[index].multiply(rows: range, input: x, ldx: ldx, count: count, output: y + self.offsets[index],
                                          ldy: ldy, accumulate: accumulate, tile: scratch.tile(worker: worker), inputs: inputs)
        }
    }

    /// Bytes held by the matrices.
    public var byteCount: Int { matrices.reduce(0) { $0 + $1.byteCount } }
}

/// One decoded weight tile per worker, and one buffer of quantized input rows, allocated once and
/// reused by every product of a model (on the engine's thread; workers only read the inputs).
final class TileScratch {
    private let buffers: [FloatBuffer]
    private let columns: Int
    private let values: UnsafeMutablePointer<Int16>
    private let steps: UnsafeMutablePointer<Float>
    private let sums: UnsafeMutablePointer<Float>

    /// Tiles for `workers` workers, each for weight rows of up to `columns` floats.
    init(workers: Int, columns: Int) {
        buffers = (0..<workers).map { _ in FloatBuffer(count: PackedMatrix.tileRows * columns) }
        self.columns = columns
        let rows = PackedMatrix.gemmRows, padded = (columns + 31) / 32 * 32
        values = .allocate(capacity: rows * padded)
        steps = .allocate(capacity: rows * padded / 32)
        sums = .allocate(capacity: rows * 3 * padded / 32)
    }

    deinit {
        values.deallocate()
        steps.deallocate()
        sums.deallocate()
    }

    func tile(worker: Int) -> UnsafeMutablePointer<Float> { buffers[worker].pointer }

    /// No quantized inputs (for products that decode tiles).
    var unquantized: QuantizedInputs { QuantizedInputs(values: values, steps: steps, sums: sums) }

    /// Quantizes `count` (< `PackedMatrix.gemmRows`) rows of `columns` floats, `ldx` apart.
    func quantize(_ x: UnsafePointer<Float>, ldx: Int, count: Int, columns: Int) -> QuantizedInputs {
        precondition(count < PackedMatrix.gemmRows && columns <= self.columns, "TileScratch: \(count) rows of \(columns) do not fit")
        qk_quantize_inputs(x, ldx, count, columns, values, steps, sums)
        return QuantizedInputs(count: count, columns: columns, values: values, steps: steps, sums: sums)
    }
}

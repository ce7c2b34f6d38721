import COpenBLAS

/// The only place that calls OpenBLAS. Row-major single-precision matrix products, and the thread
/// count of OpenBLAS's own worker pool.
enum BLAS {
    /// `C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C`, row-major, with leading dimensions
    /// (so strided views such as one attention head inside a `[T, 3C]` buffer need no copy).
    @inline(__always)
    static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // BLAS would scale C by beta; keep that meaning for empty products.
            if beta != 1 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc)
        )
    }

    static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    static var configuration: String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config)
    }
}

/// Threads used by the matrix products.
///
/// OpenBLAS runs each large `sgemm` on its own pool of worker threads (small products run on the
/// calling thread). The default is the number of cores, or `OPENBLAS_NUM_THREADS` when that is set in
/// the environment. The setting is process-wide: set it once at start-up (for example to 1 when several
/// models share a machine) rather than toggling it while another thread is inside a product.
/// Elementwise work (LayerNorm, GELU, softmax) runs on the calling thread.
public enum ComputeThreads {
    /// The number of threads OpenBLAS uses for one matrix product.
    public static var blasThreads: Int {
        get { BLAS.threadCount }
        set { BLAS.threadCount = newValue }
    }

    /// OpenBLAS's build description (version, target core), for logs and benchmark reports.
    public static var blasConfiguration: String { BLAS.configuration }
}

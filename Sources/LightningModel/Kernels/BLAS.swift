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
        // A product with one row or one column is a matrix-vector product: forward it to sgemv, as
        // OpenBLAS ≥ 0.3.27 does internally, because sgemm would repack the whole matrix for one row
        // (that repacking dominated decoding at batch 1).
        if m == 1 {
            // c = alpha·op(B)ᵀ·op(A)[0, :] + beta·c
            let incx = transA ? lda : 1
            if transB {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, Int32(incx),
                            beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, Int32(incx),
                            beta, c, 1)
            }
            return
        }
        if m == 2 && !transA {
            // OpenBLAS's sgemm is slower for two rows than for four (measured); two sgemv calls are not.
            gemm(transB: transB, m: 1, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            gemm(transB: transB, m: 1, n: n, k: k, alpha: alpha, a: a + lda, lda: lda, b: b, ldb: ldb, beta: beta,
                 c: c + ldc, ldc: ldc)
            return
        }
        if n == 1 {
            // c[:, 0] = alpha·op(A)·op(B)[:, 0] + beta·c[:, 0]
            let incx = transB ? 1 : ldb
            cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, Int32(transA ? k : m), Int32(transA ? m : k),
                        alpha, a, Int32(lda), b, Int32(incx), beta, c, Int32(ldc))
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc)
        )
    }

    /// Sets OpenBLAS to one thread per product, once, when the first model pool starts: the model
    /// splits its products across its own workers (see `WorkerPool`).
    static func useSingleThreadedProducts() { _ = singleThreaded }

    private static let singleThreaded: Void = openblas_set_num_threads(1)

    static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    static var configuration: String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config)
    }
}

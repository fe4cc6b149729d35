package dev.vavl4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, {@code C ← alpha·op(A)·op(B) + beta·C}, all row-major: through OpenBLAS when the
 * library is present ({@link OpenBlas}), else on the Vector API kernel below, which is also the reference.
 *
 * <p>One micro-kernel does the Java work: 12 rows of C with AVX-512, else 8 (4 and 1 for the remainder), by
 * two vector widths of columns, accumulated in registers over the whole K range with a broadcast of A and contiguous rows of B. The three forms the
 * model needs reduce to it: Aᵀ is read through strides (its broadcast element is a scalar anyway) and
 * Bᵀ (the Linear weight in a forward pass) is packed once into K×N so the kernel streams rows.
 *
 * <p>Twin of {@code CudaGemm} (cuBLAS): the float sums may run in another order, and {@code gemmValidRows} here
 * skips padded rows; parity tolerance 1e-4 relative (TF32 5e-3), see docs/gpu.md, "Where the twins may differ".
 */
public final class CpuGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    private static final int MR = 4;
    private static final int NR = 2 * VL;
    /** 512-bit vectors (AVX-512) come with 32 registers: room for the 24 accumulators of kernel12x2. */
    private static final boolean WIDE_REGISTERS = S.vectorBitSize() >= 512;
    private static final int TILE_M = 48;
    private static final int TILE_N = 8 * NR;

    private CpuGemm() {}

    /**
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k inner dimension
     * @param a A, stored [m, k] (or [k, m] when transA)
     * @param b B, stored [k, n] (or [n, k] when transB)
     */
    public static void gemm(int m, int n, int k, float alpha, float[] a, boolean transA, float[] b,
                            boolean transB, float beta, float[] c) {
        if (m == 0 || n == 0) return;
        OpenBlas blas = OpenBlas.get();
        if (blas != null && k > 0) {
            blasGemm(blas, m, n, k, alpha, a, transA, b, transB, beta, c);
            return;
        }
        javaGemm(m, n, k, alpha, a, transA, b, transB, beta, c);
    }

    /**
     * {@code C[r] ← A[r]·op(B) + beta·C[r]} (+ bias, with beta 0) for the rows r = b·T + t with t &lt; lengths[b]
     * (A [B·T, k], C [B·T, n]), padded rows of C zeroed when beta = 0, through OpenBLAS. False
     * (nothing done) without OpenBLAS: the Java kernel has no row offsets, and the caller computes all rows.
     */
    static boolean validRows(int[] lengths, int T, int n, int k, float[] a, float[] b, boolean transB, float[] bias,
                             float beta, float[] c) {
        OpenBlas blas = OpenBlas.get();
        if (blas == null) return false;
        int total = java.util.Arrays.stream(lengths).sum();
        // The valid rows of all samples, in order, cut into one share per core: each core runs its share as
        // single-threaded products over whole rows of C (one per sample it touches), so B is packed once per
        // product and no product is cut narrower than C.
        int threads = Math.max(1, Math.min(Parallel.threads(), total / 32));
        int share = (total + threads - 1) / threads;
        Parallel.forEach(threads, Long.MAX_VALUE / threads, t -> {
            int from = t * share, to = Math.min(total, from + share), seen = 0;
            for (int s = 0; s < lengths.length && seen < to; s++) {
                int r0 = Math.max(from, seen), r1 = Math.min(to, seen + lengths[s]);
                if (r0 < r1) {
                    int row = s * T + (r0 - seen);
                    if (bias != null) {
                        // the bias rows are still in cache when the product accumulates onto them
                        for (int r = row; r < row + r1 - r0; r++) System.arraycopy(bias, 0, c, r * n, n);
                    }
                    blas.sgemm(false, transB, r1 - r0, n, k, 1f, a, row * k, k, b, 0, transB ? k : n,
                            bias != null ? 1f : beta, c, row * n, n);
                }
                seen += lengths[s];
            }
        });
        if (beta == 0f) {
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] < T) java.util.Arrays.fill(c, (s * T + lengths[s]) * n, (s + 1) * T * n, 0f);
            }
        }
        return true;
    }

    /** Which kernel {@link #gemm} uses, and why, for logs and benchmark records. */
    public static String implementation() {
        return OpenBlas.describe();
    }

    /**
     * OpenBLAS on one thread per block: C is cut into as many row blocks (or column blocks, when it is
     * wider than tall) as there are cores, each a product of its own over a slice of A (or B) and all of the
     * other operand. Blocks are multiples of 16 so every call keeps full-width micro-tiles.
     */
    private static void blasGemm(OpenBlas blas, int m, int n, int k, float alpha, float[] a, boolean transA,
                                 float[] b, boolean transB, float beta, float[] c) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        int threads = Parallel.threads();
        boolean byRows = m >= n;
        int extent = byRows ? m : n;
        int blocks = (long) m * n * k < 1L << 21 ? 1 : Math.min(threads, Math.max(1, extent / 16));
        int step = ((extent + blocks - 1) / blocks + 15) & ~15;
        int tasks = (extent + step - 1) / step;
        Parallel.forEach(tasks, Long.MAX_VALUE / Math.max(1, tasks), t -> {
            int from = t * step, len = Math.min(extent, from + step) - from;
            if (byRows) {
                blas.sgemm(transA, transB, len, n, k, alpha, a, transA ? from : from * k, lda, b, 0, ldb, beta, c,
                        from * n, n);
            } else {
                blas.sgemm(transA, transB, m, len, k, alpha, a, 0, lda, b, transB ? from * k : from, ldb, beta, c,
                        from, n);
            }
        });
    }

    /** The reference kernel: Vector API, parallel over 64-row by 8-micro-tile blocks of C. */
    static void javaGemm(int m, int n, int k, float alpha, float[] a, boolean transA, float[] b,
                         boolean transB, float beta, float[] c) {
        if (m == 0 || n == 0) return;
        scale(c, m * n, beta);
        if (k == 0 || alpha == 0f) return;
        // a product never nests another on its calling thread, so the scratch is free here
        float[] bp = transB ? transposeInto(b, n, k, packedScratch(n * k)) : b;
        int aRow = transA ? 1 : k;
        int aCol = transA ? m : 1;
        int tilesM = (m + TILE_M - 1) / TILE_M;
        int tilesN = (n + TILE_N - 1) / TILE_N;
        long work = (long) Math.min(m, TILE_M) * Math.min(n, TILE_N) * k;
        Parallel.forEach(tilesM * tilesN, work, t -> {
            int i0 = (t / tilesN) * TILE_M;
            int j0 = (t % tilesN) * TILE_N;
            tile(i0, Math.min(m, i0 + TILE_M), j0, Math.min(n, j0 + TILE_N), n, k, alpha, a, aRow, aCol,
                    bp, c);
        });
    }

    private static void scale(float[] c, int len, float beta) {
        if (beta == 1f) return;
        if (beta == 0f) {
            java.util.Arrays.fill(c, 0, len, 0f);
        } else {
            for (int i = 0; i < len; i++) c[i] *= beta;
        }
    }

    /** Packs the transpose of the row-major [rows, cols] matrix src into [cols, rows]. */
    static float[] transpose(float[] src, int rows, int cols) {
        return transposeInto(src, rows, cols, new float[rows * cols]);
    }

    /**
     * Per-thread scratch for the packed Bᵀ of a product: a Linear's weight is megabytes, and a fresh array
     * per product (zeroed, then collected) cost as much as the product itself.
     */
    private static final ThreadLocal<float[][]> PACKED = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private static float[] packedScratch(int len) {
        float[][] holder = PACKED.get();
        if (holder[0].length < len) holder[0] = new float[len];
        return holder[0];
    }

    /** {@link #transpose} into dst (at least rows·cols long). */
    private static float[] transposeInto(float[] src, int rows, int cols, float[] dst) {
        final int blk = 32;
        int colBlocks = (cols + blk - 1) / blk;
        Parallel.forEach(colBlocks, (long) rows * blk, cb -> {
            int c0 = cb * blk, c1 = Math.min(cols, c0 + blk);
            for (int r0 = 0; r0 < rows; r0 += blk) {
                int r1 = Math.min(rows, r0 + blk);
                for (int col = c0; col < c1; col++) {
                    for (int r = r0; r < r1; r++) dst[col * rows + r] = src[r * cols + col];
                }
            }
        });
        return dst;
    }

    private static void tile(int i0, int i1, int j0, int j1, int n, int k, float alpha, float[] a,
                             int aRow, int aCol, float[] b, float[] c) {
        int j = j0;
        for (; j + NR <= j1; j += NR) {
            int i = i0;
            if (WIDE_REGISTERS) {
                for (; i + 3 * MR <= i1; i += 3 * MR) kernel12x2(i, j, n, k, alpha, a, aRow, aCol, b, c);
            }
            for (; i + 2 * MR <= i1; i += 2 * MR) kernel8x2(i, j, n, k, alpha, a, aRow, aCol, b, c);
            for (; i + MR <= i1; i += MR) kernel4x2(i, j, n, k, alpha, a, aRow, aCol, b, c);
            for (; i < i1; i++) kernel1x2(i, j, n, k, alpha, a, aRow, aCol, b, c);
        }
        for (; j + VL <= j1; j += VL) {
            for (int i = i0; i < i1; i++) kernel1x1(i, j, n, k, alpha, a, aRow, aCol, b, c);
        }
        if (j < j1) {
            for (int i = i0; i < i1; i++) {
                for (int jj = j; jj < j1; jj++) {
                    float s = 0f;
                    int ai = i * aRow;
                    for (int p = 0; p < k; p++) s = Math.fma(a[ai + p * aCol], b[p * n + jj], s);
                    c[i * n + jj] += alpha * s;
                }
            }
        }
    }

    /**
     * 12 rows × 2 vectors: 24 accumulators, for vector units with 32 registers (AVX-512), where it keeps
     * the multiply-adds busier still than {@link #kernel8x2}. Written out like it, for the same reason.
     */
    private static void kernel12x2(int i, int j, int n, int k, float alpha, float[] a, int aRow, int aCol,
                                   float[] b, float[] c) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        FloatVector x;
        for (int p = 0, ap = i * aRow, bp = j; p < k; p++, ap += aCol, bp += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6 * aRow]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7 * aRow]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ap + 8 * aRow]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ap + 9 * aRow]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ap + 10 * aRow]);
            c100 = x.fma(b0, c100);
            c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(S, a[ap + 11 * aRow]);
            c110 = x.fma(b0, c110);
            c111 = x.fma(b1, c111);
        }
        int o = i * n + j;
        c00.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c01.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c10.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c11.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c20.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c21.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c30.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c31.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c40.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c41.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c50.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c51.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c60.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c61.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c70.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c71.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c80.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c81.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c90.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c91.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c100.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c101.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c110.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c111.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
    }

    /**
     * 8 rows × 2 vectors: 16 accumulators, 2 loads of B and 8 broadcasts of A per step of K. Twice the
     * rows of {@link #kernel4x2} per load of B, which on AVX-512 (32 vector registers) nearly doubles the
     * rate: the 4-row kernel waits on loads, this one on its multiply-adds.
     */
    private static void kernel8x2(int i, int j, int n, int k, float alpha, float[] a, int aRow, int aCol,
                                  float[] b, float[] c) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a0 = i * aRow;
        for (int p = 0, ap = a0, bp = j; p < k; p++, ap += aCol, bp += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6 * aRow]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7 * aRow]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // stores written out (not through store()): a vector passed to a call C2 does not inline is boxed
        int o = i * n + j;
        c00.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c01.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c10.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c11.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c20.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c21.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c30.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c31.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c40.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c41.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c50.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c51.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c60.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c61.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
        o += n;
        c70.mul(alpha).add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        c71.mul(alpha).add(FloatVector.fromArray(S, c, o + VL)).intoArray(c, o + VL);
    }

    private static void kernel4x2(int i, int j, int n, int k, float alpha, float[] a, int aRow, int aCol,
                                  float[] b, float[] c) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
        for (int p = 0, ap = 0, bp = j; p < k; p++, ap += aCol, bp += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        store(c00, c01, alpha, c, i * n + j);
        store(c10, c11, alpha, c, (i + 1) * n + j);
        store(c20, c21, alpha, c, (i + 2) * n + j);
        store(c30, c31, alpha, c, (i + 3) * n + j);
    }

    private static void kernel1x2(int i, int j, int n, int k, float alpha, float[] a, int aRow, int aCol,
                                  float[] b, float[] c) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        int a0 = i * aRow;
        for (int p = 0, ap = 0, bp = j; p < k; p++, ap += aCol, bp += n) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c0 = x.fma(FloatVector.fromArray(S, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bp + VL), c1);
        }
        store(c0, c1, alpha, c, i * n + j);
    }

    private static void kernel1x1(int i, int j, int n, int k, float alpha, float[] a, int aRow, int aCol,
                                  float[] b, float[] c) {
        FloatVector c0 = FloatVector.zero(S);
        int a0 = i * aRow;
        for (int p = 0, ap = 0, bp = j; p < k; p++, ap += aCol, bp += n) {
            c0 = FloatVector.broadcast(S, a[a0 + ap]).fma(FloatVector.fromArray(S, b, bp), c0);
        }
        c0.mul(alpha).add(FloatVector.fromArray(S, c, i * n + j)).intoArray(c, i * n + j);
    }

    private static void store(FloatVector v0, FloatVector v1, float alpha, float[] c, int off) {
        v0.mul(alpha).add(FloatVector.fromArray(S, c, off)).intoArray(c, off);
        v1.mul(alpha).add(FloatVector.fromArray(S, c, off + VL)).intoArray(c, off + VL);
    }

    /** Dot product of x[xo..xo+len) and y[yo..yo+len), vectorised, float accumulation. */
    static float dot(float[] x, int xo, float[] y, int yo, int len) {
        int i = 0;
        float s = 0f;
        if (len >= VL) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + VL <= len; i += VL) {
                acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) s = Math.fma(x[xo + i], y[yo + i], s);
        return s;
    }

    /** y[yo..yo+len) += alpha·x[xo..xo+len). */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int len) {
        int i = 0;
        if (len >= VL) {
            FloatVector av = FloatVector.broadcast(S, alpha);
            for (; i + VL <= len; i += VL) {
                av.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i))
                        .intoArray(y, yo + i);
            }
        }
        for (; i < len; i++) y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
    }
}

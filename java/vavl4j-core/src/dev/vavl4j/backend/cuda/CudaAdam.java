package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.AdamHyper;
import dev.vavl4j.backend.ShapeException;
import dev.vavl4j.backend.Workspace;
import java.util.List;

/**
 * Adam over all parameters in one launch (cuda/adam.cu): a table of the hyper-parameters, each
 * parameter's value/grad/m/v addresses, size and bias corrections (1 − β^t computed here in double
 * exactly as the CPU reference, with the parameter's own step t), and a list of fixed-size chunks, one
 * block each, is uploaded once per call into a scratch tensor.
 *
 * <p>Twin of {@code CpuAdam}: both in double per element; parity tolerance 1e-5 relative for value, m and v, see
 * docs/gpu.md, "Where the twins may differ".
 */
final class CudaAdam {
    private static final int THREADS = 256;
    /** Elements one block updates. */
    static final int CHUNK = 4096;
    private static final int HEADER_WORDS = 8;
    private static final int PARAM_WORDS = 8;

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaAdam(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    void update(List<CudaTensor> params, List<CudaTensor> grads, List<CudaTensor> m, List<CudaTensor> v, int[] steps,
                AdamHyper hyper) {
        int n = params.size();
        if (grads.size() != n || m.size() != n || v.size() != n || steps.length != n) {
            throw new ShapeException("adam: " + n + " params, " + grads.size() + " grads, " + m.size() + " m, "
                    + v.size() + " v, " + steps.length + " steps");
        }
        long chunks = 0;
        for (int i = 0; i < n; i++) {
            CudaTensor p = params.get(i);
            CudaBackend.sameSize(p, grads.get(i));
            CudaBackend.sameSize(p, m.get(i));
            CudaBackend.sameSize(p, v.get(i));
            if (steps[i] < 1) throw new ShapeException("adam step " + steps[i] + " of parameter " + i);
            chunks += (p.size() + CHUNK - 1) / CHUNK;
        }
        if (chunks == 0) return;
        if (chunks > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("too many parameters: " + chunks + " chunks");

        int words = HEADER_WORDS + PARAM_WORDS * n;
        int[] table = new int[2 * words + 2 * (int) chunks];
        putDouble(table, 0, hyper.lr());
        putDouble(table, 1, hyper.beta1());
        putDouble(table, 2, hyper.beta2());
        putDouble(table, 3, hyper.eps());
        putDouble(table, 4, hyper.weightDecay());
        int q = 2 * words;
        for (int i = 0; i < n; i++) {
            CudaTensor p = params.get(i);
            int w = HEADER_WORDS + PARAM_WORDS * i;
            putLong(table, w, p.address());
            putLong(table, w + 1, grads.get(i).address());
            putLong(table, w + 2, m.get(i).address());
            putLong(table, w + 3, v.get(i).address());
            putLong(table, w + 4, p.size());
            putDouble(table, w + 5, 1 - Math.pow(hyper.beta1(), steps[i]));
            putDouble(table, w + 6, 1 - Math.pow(hyper.beta2(), steps[i]));
            for (long start = 0; start < p.size(); start += CHUNK) {
                table[q++] = i;
                table[q++] = (int) start;
            }
        }
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor t = be.scratch(table.length);
            dev.upload(table, t.address());
            dev.launch("vavl_adam", (int) chunks, 1, 1, THREADS, 0, t, n, CHUNK);
        }
    }

    /** Stores {@code value} as the little-endian 8-byte word {@code word} of an int table. */
    static void putLong(int[] table, int word, long value) {
        table[2 * word] = (int) value;
        table[2 * word + 1] = (int) (value >>> 32);
    }

    static void putDouble(int[] table, int word, double value) {
        putLong(table, word, Double.doubleToRawLongBits(value));
    }
}

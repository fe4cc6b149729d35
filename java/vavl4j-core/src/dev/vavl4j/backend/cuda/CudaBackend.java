package dev.vavl4j.backend.cuda;


import dev.vavl4j.backend.AdamHyper;
import dev.vavl4j.backend.AttentionGrads;
import dev.vavl4j.backend.AttentionInputs;
import dev.vavl4j.backend.AttentionSaved;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.BatchStats;
import dev.vavl4j.backend.LayerNormStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.ShapeException;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.Workspace;
import dev.vavl4j.backend.WorkspaceTracker;
import java.util.Arrays;
import java.util.List;

/**
 * The GPU backend: every tensor lives in device memory, every op is a cuBLAS call or one of our fused
 * kernels (cuda/*.cu) on one in-order stream, and only losses and {@link #toHost} come back to the host.
 * Each op group is a class of one concern, mirroring the CPU reference.
 *
 * <p>Several threads may share a backend (the predictor does): the device serialises launches, and since
 * all work goes to one in-order stream, memory one thread's workspace released is only reused by work
 * queued after everything that used it.
 */
public final class CudaBackend implements Backend {
    private static final boolean POISON_EMPTY = Boolean.getBoolean("vavl.poisonEmpty");
    private final CudaDevice device;
    private final DeviceMemory memory;
    private final WorkspaceTracker<DeviceMemory.Block> workspaces;
    private final CudaGemm gemm;
    private final CudaElementwise elementwise;
    private final CudaNormOps norms;
    private final CudaConv conv;
    private final CudaAttention attention;
    private final CudaLosses losses;
    private final CudaAdam adam;
    private boolean closed;

    /** Opens GPU {@code ordinal} with the libraries found by {@link CudaLibraries#locate()}. */
    public static CudaBackend open() {
        return open(CudaLibraries.locate(), 0);
    }

    public static CudaBackend open(CudaLibraries.Locations libs, int ordinal) {
        return new CudaBackend(CudaDevice.open(libs, ordinal));
    }

    private CudaBackend(CudaDevice device) {
        this.device = device;
        this.memory = new DeviceMemory(new DeviceMemory.Raw() {
            @Override
            public long allocate(long bytes) {
                return device.allocate(bytes);
            }

            @Override
            public void free(long address) {
                // A cached block was released by its workspace while work queued before may still read it:
                // let the stream drain before the driver gets the memory back (trim on OOM, and close).
                device.synchronize();
                device.free(address);
            }
        });
        this.workspaces = new WorkspaceTracker<>(blocks -> blocks.forEach(memory::give));
        this.gemm = new CudaGemm(device);
        this.elementwise = new CudaElementwise(this, device);
        this.norms = new CudaNormOps(this, device);
        this.conv = new CudaConv(this, device);
        this.attention = new CudaAttention(this, device);
        this.losses = new CudaLosses(this, device);
        this.adam = new CudaAdam(this, device);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device in words, e.g. "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)". */
    public String description() {
        return device.description();
    }

    /** Uses TF32 tensor cores for matrix products (off by default: exact float32). */
    public void setTf32(boolean on) {
        device.setTf32(on);
    }

    /** Raw device allocations alive now (tensors in use plus the allocator's cache). */
    public int liveAllocations() {
        return memory.liveAllocations();
    }

    /** Tensors and masks handed out and not yet released. */
    public int blocksInUse() {
        return memory.blocksInUse();
    }

    /** The most bytes tensors held at once since the backend opened or {@link #resetPeakBytesInUse()}. */
    public long peakBytesInUse() {
        return memory.peakInUseBytes();
    }

    public void resetPeakBytesInUse() {
        memory.resetPeak();
    }

    /** Waits for all queued device work. */
    public void synchronize() {
        device.synchronize();
    }

    /** Device milliseconds taken by {@code work} (events on the stream). */
    public float timeMillis(Runnable work) {
        return device.time(work);
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Workspace openWorkspace() {
        return workspaces.open();
    }

    @Override
    public Tensor zeros(int... shape) {
        CudaTensor t = scratch(shape);
        device.zero(t.address(), t.bytes());
        return t;
    }

    /** No memset: the caller's next op writes it whole (NaN-filled under -Dvavl.poisonEmpty=true, for the tests). */
    @Override
    public Tensor empty(int... shape) {
        CudaTensor t = scratch(shape);
        if (POISON_EMPTY) fill(t, Float.NaN);
        return t;
    }

    @Override
    public Tensor zerosPersistent(int... shape) {
        CudaTensor t = new CudaTensor(shape, memory.take(bytesOf(shape)));
        device.zero(t.address(), t.bytes());
        return t;
    }

    /** An uninitialised tensor in the innermost open workspace: for outputs a kernel overwrites whole. */
    CudaTensor scratch(int... shape) {
        DeviceMemory.Block b = memory.take(bytesOf(shape));
        workspaces.adopt(b);
        return new CudaTensor(shape, b);
    }

    private static long bytesOf(int[] shape) {
        long n = OpChecks.elements(shape);
        return 4 * n;
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        CudaTensor t = scratch(shape);
        if (data.length != t.size()) throw new ShapeException(data.length + " values for shape " + Arrays.toString(shape));
        device.upload(data, t.address());
        return t;
    }

    @Override
    public void copyFromHost(float[] data, Tensor dst) {
        if (data.length != dst.size()) throw new ShapeException(data.length + " values for " + dst);
        device.upload(data, t(dst).address());
    }

    @Override
    public float[] toHost(Tensor t) {
        float[] out = new float[t.size()];
        device.download(t(t).address(), out);
        return out;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameSize(src, dst);
        device.copy(t(src).address(), t(dst).address(), t(src).bytes());
    }

    @Override
    public void fill(Tensor t, float value) {
        elementwise.fill(t(t), value);
    }

    @Override
    public SeqMask mask(int[] lengths, int time) {
        OpChecks.maskLengths(lengths, time);
        DeviceMemory.Block b = memory.take(4L * Math.max(1, lengths.length));
        workspaces.adopt(b);
        device.upload(lengths, b.address());
        return new CudaMask(lengths, time, b);
    }

    // ------------------------------------------------------------------ dense algebra

    @Override
    public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int[] mnk = OpChecks.gemmDims(a, transA, b, transB, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        gemm.gemm(t(a), transA, t(b), transB, t(c), m, n, k, alpha, beta);
    }

    @Override
    public void addBias(Tensor y, Tensor bias) {
        checkCols(y, bias);
        elementwise.addBias(t(y), t(bias));
    }

    @Override
    public void accumulateBiasGrad(Tensor dy, Tensor db) {
        checkCols(dy, db);
        elementwise.accumulateBiasGrad(t(dy), t(db));
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        sameSize(x, y);
        elementwise.axpy(alpha, t(x), t(y));
    }

    @Override
    public void scaleInto(Tensor x, float alpha, Tensor out) {
        sameSize(x, out);
        elementwise.scaleInto(t(x), alpha, t(out));
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return losses.sumOfSquares(t(x));
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public void layerNorm(Tensor x, NormAffine affine, float eps, Tensor y, LayerNormStats stats) {
        norms.layerNorm(t(x), affine, eps, t(y), stats);
    }

    @Override
    public void residualLayerNorm(Tensor x, Tensor branch, float scale, NormAffine affine, float eps,
                                  Tensor sum, Tensor y, LayerNormStats stats) {
        norms.residualLayerNorm(t(x), t(branch), scale, affine, eps, t(sum), t(y), stats);
    }

    @Override
    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, LayerNormStats stats, Tensor dx,
                                  NormAffineGrads grads) {
        norms.layerNormBackward(t(dy), t(x), t(weight), stats, t(dx), grads);
    }

    @Override
    public void maskedBatchStats(Tensor x, SeqMask mask, Tensor mean, Tensor var) {
        norms.maskedBatchStats(t(x), m(mask), t(mean), t(var));
    }

    @Override
    public void updateRunningStats(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor var, float momentum, int n) {
        norms.updateRunningStats(t(runningMean), t(runningVar), t(mean), t(var), momentum, n);
    }

    @Override
    public void batchNormSwish(Tensor x, BatchStats stats, NormAffine affine, float eps, Tensor bn, Tensor out) {
        checkCols(x, affine.weight());
        norms.batchNormSwish(t(x), stats, affine, eps, t(bn), t(out));
    }

    @Override
    public void batchNormSwishBackward(Tensor dOut, Tensor x, Tensor bn, BatchStats stats, Tensor weight, float eps,
                                       SeqMask mask, Tensor dx, NormAffineGrads grads) {
        checkCols(x, weight);
        norms.batchNormSwishBackward(t(dOut), t(x), t(bn), stats, t(weight), eps, m(mask), t(dx), grads);
    }

    // ------------------------------------------------------------------ activations

    @Override
    public void biasSwishDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out) {
        checkCols(pre, bias);
        elementwise.biasSwishDropout(t(pre), t(bias), p, seed, t(out));
    }

    @Override
    public void swishDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre) {
        elementwise.swishDropoutBackward(t(dOut), t(pre), p, seed, t(dPre));
    }

    @Override
    public void biasReluDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out) {
        checkCols(pre, bias);
        elementwise.biasReluDropout(t(pre), t(bias), p, seed, t(out));
    }

    @Override
    public void reluDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre) {
        elementwise.reluDropoutBackward(t(dOut), t(pre), p, seed, t(dPre));
    }

    @Override
    public void gluMasked(Tensor g, SeqMask mask, Tensor z) {
        elementwise.gluMasked(t(g), m(mask), t(z));
    }

    @Override
    public void gluMaskedBackward(Tensor dz, Tensor g, SeqMask mask, Tensor dg) {
        elementwise.gluMaskedBackward(t(dz), t(g), m(mask), t(dg));
    }

    @Override
    public void dropout(Tensor x, float p, long seed, Tensor out) {
        sameSize(x, out);
        elementwise.dropout(t(x), p, seed, t(out));
    }

    // ------------------------------------------------------------------ sequence ops

    @Override
    public void zeroPadded(Tensor x, SeqMask mask) {
        elementwise.zeroPadded(t(x), m(mask));
    }

    @Override
    public void depthwiseConv(Tensor z, Tensor weight, Tensor out) {
        conv.depthwiseConv(t(z), t(weight), t(out));
    }

    @Override
    public void depthwiseConvBackward(Tensor dOut, Tensor z, Tensor weight, Tensor dz, Tensor dWeight) {
        conv.depthwiseConvBackward(t(dOut), t(z), t(weight), t(dz), t(dWeight));
    }

    @Override
    public void relPosAttention(AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved, Tensor ctx) {
        attention.forward(in, heads, m(mask), saved, t(ctx));
    }

    @Override
    public void relPosAttentionBackward(Tensor dCtx, AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved,
                                        AttentionGrads grads) {
        attention.backward(t(dCtx), in, heads, m(mask), saved, grads);
    }

    @Override
    public void maskedMeanPool(Tensor x, SeqMask mask, Tensor out) {
        elementwise.maskedMeanPool(t(x), m(mask), t(out));
    }

    @Override
    public void maskedMeanPoolBackward(Tensor dOut, SeqMask mask, Tensor dx) {
        elementwise.maskedMeanPoolBackward(t(dOut), m(mask), t(dx));
    }

    @Override
    public void concatColumns(Tensor a, Tensor b, Tensor out) {
        elementwise.concatColumns(t(a), t(b), t(out));
    }

    // ------------------------------------------------------------------ losses

    @Override
    public double crossEntropyArgmax(Tensor logits, Tensor targets, Tensor classWeights, float scale, Tensor dLogits) {
        return losses.crossEntropyArgmax(t(logits), t(targets), classWeights == null ? null : t(classWeights), scale,
                t(dLogits));
    }

    @Override
    public double cccLoss(Tensor pred, Tensor targets, float scale, Tensor dPred) {
        return losses.ccc(t(pred), t(targets), scale, t(dPred));
    }

    @Override
    public double mseLoss(Tensor pred, Tensor target, float scale, Tensor dPred) {
        sameSize(pred, target);
        return losses.mse(t(pred), t(target), scale, t(dPred));
    }

    @Override
    public double reconstructionMse(Tensor recon, Tensor input, SeqMask mask, float scale, Tensor dRecon) {
        return losses.reconstructionMse(t(recon), t(input), m(mask), scale, t(dRecon));
    }

    // ------------------------------------------------------------------ optimiser

    @Override
    public void adam(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v, int[] steps,
                     AdamHyper hyper) {
        adam.update(params.stream().map(CudaBackend::t).toList(), grads.stream().map(CudaBackend::t).toList(),
                m.stream().map(CudaBackend::t).toList(), v.stream().map(CudaBackend::t).toList(), steps, hyper);
    }

    /** Frees all device memory (tensors still referenced become unusable), cuBLAS and the context. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            device.synchronize();
        } finally {
            try {
                memory.close();
            } finally {
                device.close(); // even when a broken context made the frees fail: releasing it frees them all
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static CudaTensor t(Tensor t) {
        if (!(t instanceof CudaTensor c)) throw new ShapeException("not a CUDA tensor: " + t);
        return c;
    }

    static CudaMask m(SeqMask mask) {
        if (!(mask instanceof CudaMask c)) throw new ShapeException("not a CUDA mask: " + mask);
        return c;
    }



    /** For the op classes: the shared checks of {@link OpChecks}. */
    static void sameSize(Tensor a, Tensor b) {
        OpChecks.sameSize(a, b);
    }

    static int checkCols(Tensor x, Tensor perColumn) {
        return OpChecks.checkCols(x, perColumn);
    }
}

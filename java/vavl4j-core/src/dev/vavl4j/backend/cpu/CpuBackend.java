package dev.vavl4j.backend.cpu;

import static dev.vavl4j.backend.OpChecks.checkCols;
import static dev.vavl4j.backend.OpChecks.sameSize;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * The reference backend: pure Java, float32 storage, double accumulation for long reductions, work
 * split across the backend's threads (see {@link #call}), OpenBLAS or Vector API GEMM. Each op delegates to a small class of one concern.
 */
public final class CpuBackend implements Backend {
    private static final boolean POISON_EMPTY = Boolean.getBoolean("vavl.poisonEmpty");
    private final CpuBufferPool pool = new CpuBufferPool(Runtime.getRuntime().maxMemory() / 4);
    private final WorkspaceTracker<CpuTensor> workspaces = new WorkspaceTracker<>(ts -> ts.forEach(t -> pool.give(t.release())));

    private final ForkJoinPool threads;
    private final boolean ownsThreads;

    /** A CPU backend with one thread per core ({@link Runtime#availableProcessors()}). */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A CPU backend whose work ({@link #call}) runs on a pool of its own with {@code threads} threads, shut
     * down by {@link #close()}. A bad OpenBLAS setting ({@code VAVL_OPENBLAS} / {@code -Dvavl.openblas}
     * naming a file that is missing or not OpenBLAS) fails here, with the setting in the message, before
     * any work starts; so does a JVM started without {@code --add-modules jdk.incubator.vector}.
     */
    public CpuBackend(int threads) {
        this(newPool(threads), true);
    }

    /** A CPU backend whose work runs in {@code pool}, which stays the caller's: {@link #close()} leaves it running. */
    public CpuBackend(ForkJoinPool pool) {
        this(java.util.Objects.requireNonNull(pool, "pool"), false);
    }

    private CpuBackend(ForkJoinPool threads, boolean owns) {
        JvmRequirements.checkVectorModule();
        OpenBlas.get();
        this.threads = threads;
        this.ownsThreads = owns;
    }

    private static ForkJoinPool newPool(int threads) {
        if (threads < 1) throw new dev.vavl4j.ConfigException("CPU thread count must be ≥ 1, got " + threads);
        JvmRequirements.checkVectorModule();
        ForkJoinPool.ForkJoinWorkerThreadFactory named = pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("vavl4j-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        };
        return new ForkJoinPool(threads, named, null, false);
    }

    /** The number of threads this backend's work uses. */
    public int threads() {
        return threads.getParallelism();
    }

    @Override
    public <T> T call(Supplier<T> work) {
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == threads) return work.get();
        // The outcome is carried out by hand: ForkJoinTask.get may wrap or re-create the exception.
        Object[] outcome = new Object[2];
        ForkJoinTask<?> task = threads.submit(() -> {
            try {
                outcome[0] = work.get();
            } catch (Throwable t) {
                outcome[1] = t;
            }
        });
        try {
            task.get();
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for CPU work");
        } catch (ExecutionException e) {
            throw new IllegalStateException("CPU work failed outside its own handler", e.getCause());
        }
        if (outcome[1] instanceof RuntimeException e) throw e;
        if (outcome[1] instanceof Error e) throw e;
        @SuppressWarnings("unchecked") T result = (T) outcome[0];
        return result;
    }

    /** Shuts down the backend's own thread pool (not one it was handed) and drops its recycled arrays. */
    @Override
    public void close() {
        if (ownsThreads) threads.shutdown();
        pool.clear();
    }

    @Override
    public String name() {
        return "cpu";
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Workspace openWorkspace() {
        return workspaces.open();
    }

    @Override
    public Tensor zeros(int... shape) {
        int n = (int) OpChecks.elements(shape);
        if (workspaces.depth() == 0) return new CpuTensor(new float[n], shape);
        CpuTensor t;
        try {
            t = new CpuTensor(pool.take(n), shape);
        } catch (OutOfMemoryError e) {
            pool.clear();
            t = new CpuTensor(new float[n], shape);
        }
        workspaces.adopt(t);
        return t;
    }

    @Override
    public Tensor empty(int... shape) {
        int n = (int) OpChecks.elements(shape);
        if (workspaces.depth() == 0) return zeros(shape);
        CpuTensor t;
        try {
            t = new CpuTensor(pool.takeUninitialized(n), shape);
        } catch (OutOfMemoryError e) {
            pool.clear();
            t = new CpuTensor(new float[n], shape);
        }
        if (POISON_EMPTY) Arrays.fill(t.data(), Float.NaN);
        workspaces.adopt(t);
        return t;
    }

    @Override
    public Tensor zerosPersistent(int... shape) {
        return new CpuTensor(new float[(int) OpChecks.elements(shape)], shape);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        CpuTensor t = (CpuTensor) zeros(shape);
        if (data.length != t.size()) {
            throw new ShapeException(data.length + " values for shape " + Arrays.toString(shape));
        }
        System.arraycopy(data, 0, t.data(), 0, data.length);
        return t;
    }

    @Override
    public void copyFromHost(float[] data, Tensor dst) {
        if (data.length != dst.size()) throw new ShapeException(data.length + " values for " + dst);
        System.arraycopy(data, 0, f(dst), 0, data.length);
    }

    @Override
    public float[] toHost(Tensor t) {
        return f(t).clone();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameSize(src, dst);
        System.arraycopy(f(src), 0, f(dst), 0, src.size());
    }

    @Override
    public void fill(Tensor t, float value) {
        Arrays.fill(f(t), value);
    }

    @Override
    public SeqMask mask(int[] lengths, int time) {
        OpChecks.maskLengths(lengths, time);
        return new CpuMask(lengths.clone(), time);
    }

    // ------------------------------------------------------------------ dense algebra

    @Override
    public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        int[] mnk = OpChecks.gemmDims(a, transA, b, transB, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        CpuGemm.gemm(m, n, k, alpha, f(a), transA, f(b), transB, beta, f(c));
    }

    @Override
    public void gemmValidRows(Tensor a, Tensor b, boolean transB, Tensor bias, Tensor c, float beta, SeqMask mask) {
        int[] mnk = OpChecks.gemmDims(a, false, b, transB, c);
        CpuMask cm = m(mask);
        if (mnk[0] != cm.batch() * cm.time()) {
            throw new ShapeException("gemmValidRows: " + mnk[0] + " rows for a mask of " + cm.batch() + "x" + cm.time());
        }
        if (beta != 0f && beta != 1f) throw new ShapeException("gemmValidRows: beta must be 0 or 1, got " + beta);
        if (bias != null && beta != 0f) throw new ShapeException("gemmValidRows: a bias needs beta 0, got " + beta);
        if (bias != null) checkCols(c, bias);
        float[] biasData = bias == null ? null : f(bias);
        if (!CpuGemm.validRows(cm.lengths(), cm.time(), mnk[1], mnk[2], f(a), f(b), transB, biasData, beta, f(c))) {
            Backend.super.gemmValidRows(a, b, transB, bias, c, beta, mask);
        }
    }

    @Override
    public void addBias(Tensor y, Tensor bias) {
        int cols = checkCols(y, bias);
        float[] yd = f(y), bd = f(bias);
        Parallel.forChunks(y.rows(), 16, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) CpuGemm.axpy(1f, bd, 0, yd, r * cols, cols);
        });
    }

    @Override
    public void accumulateBiasGrad(Tensor dy, Tensor db) {
        int cols = checkCols(dy, db), rows = dy.rows();
        float[] g = f(dy), out = f(db);
        Parallel.forChunks(cols, 16, rows, (c0, c1) -> {
            double[] s = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                for (int c = c0; c < c1; c++) s[c - c0] += g[r * cols + c];
            }
            for (int c = c0; c < c1; c++) out[c] += (float) s[c - c0];
        });
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        sameSize(x, y);
        float[] xd = f(x), yd = f(y);
        Parallel.forChunks(x.size(), 16384, 1, (i0, i1) -> CpuGemm.axpy(alpha, xd, i0, yd, i0, i1 - i0));
    }

    @Override
    public void scaleInto(Tensor x, float alpha, Tensor out) {
        sameSize(x, out);
        float[] xd = f(x), od = f(out);
        for (int i = 0; i < xd.length; i++) od[i] = alpha * xd[i];
    }

    @Override
    public double sumOfSquares(Tensor t) {
        return CpuLosses.sumOfSquares(f(t), t.size());
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public void layerNorm(Tensor x, NormAffine affine, float eps, Tensor y, LayerNormStats stats) {
        OpChecks.layerNorm(x, affine, y, stats);
        int cols = x.cols();
        CpuNormOps.layerNorm(f(x), f(affine.weight()), f(affine.bias()), eps, f(y), f(stats.mean()),
                f(stats.rstd()), x.rows(), cols);
    }

    @Override
    public void layerNormBackward(Tensor dy, Tensor x, Tensor weight, LayerNormStats stats, Tensor dx,
                                  NormAffineGrads grads) {
        OpChecks.layerNormBackward(dy, x, weight, stats, dx, grads);
        int cols = x.cols();
        CpuNormOps.layerNormBackward(f(dy), f(x), f(weight), f(stats.mean()), f(stats.rstd()), f(dx),
                f(grads.dWeight()), f(grads.dBias()), x.rows(), cols);
    }

    @Override
    public void maskedBatchStats(Tensor x, SeqMask mask, Tensor mean, Tensor var) {
        CpuNormOps.maskedBatchStats(f(x), m(mask), f(mean), f(var), checkCols(x, mean));
    }

    @Override
    public void updateRunningStats(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor var, float momentum,
                                   int n) {
        CpuNormOps.updateRunningStats(f(runningMean), f(runningVar), f(mean), f(var), momentum, n);
    }

    @Override
    public void batchNormSwish(Tensor x, BatchStats stats, NormAffine affine, float eps, Tensor bn, Tensor out) {
        CpuNormOps.batchNormSwish(f(x), f(stats.mean()), f(stats.var()), f(affine.weight()), f(affine.bias()), eps,
                f(bn), f(out), x.rows(), checkCols(x, affine.weight()));
    }

    @Override
    public void batchNormSwishBackward(Tensor dOut, Tensor x, Tensor bn, BatchStats stats, Tensor weight, float eps,
                                       SeqMask mask, Tensor dx, NormAffineGrads grads) {
        CpuNormOps.batchNormSwishBackward(f(dOut), f(x), f(bn), f(stats.mean()), f(stats.var()), f(weight), eps,
                m(mask), f(dx), f(grads.dWeight()), f(grads.dBias()), x.rows(), checkCols(x, weight));
    }

    // ------------------------------------------------------------------ activations

    @Override
    public void biasSwishDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out) {
        biasActivationDropout(pre, bias, false, p, seed, out);
    }

    /**
     * pre += bias in place (backward reads it), out = dropout(act(pre)): the hidden activation of a
     * feed-forward module (swish) or of an MLP head (ReLU as Math.max(0, x): NaN stays NaN, −0 becomes +0).
     */
    private static void biasActivationDropout(Tensor pre, Tensor bias, boolean relu, float p, long seed, Tensor out) {
        int cols = checkCols(pre, bias);
        sameSize(pre, out);
        float[] x = f(pre), b = f(bias), o = f(out);
        float keep = CpuActivations.keepScale(p);
        Parallel.forChunks(pre.rows(), 16, cols,
                (r0, r1) -> CpuVectorActivations.biasActivationDropout(x, b, o, cols, r0, r1, relu, p, keep, seed));
    }

    @Override
    public void swishDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre) {
        sameSize(dOut, pre);
        sameSize(dOut, dPre);
        float[] g = f(dOut), x = f(pre), d = f(dPre);
        float keep = CpuActivations.keepScale(p);
        // the dropped gradient as a float first, as dropout backward then swish backward rounded it
        Parallel.forChunks(g.length, 16384, 4,
                (i0, i1) -> CpuVectorActivations.swishDropoutBackward(g, x, d, i0, i1, p, keep, seed));
    }

    @Override
    public void biasReluDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out) {
        biasActivationDropout(pre, bias, true, p, seed, out);
    }

    @Override
    public void reluDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre) {
        sameSize(dOut, pre);
        sameSize(dOut, dPre);
        float[] g = f(dOut), x = f(pre), d = f(dPre);
        float keep = CpuActivations.keepScale(p);
        // relu'(pre) tests pre itself: pre > 0 exactly where relu(pre) > 0
        Parallel.forChunks(g.length, 16384, 2,
                (i0, i1) -> CpuVectorActivations.reluDropoutBackward(g, x, d, i0, i1, p, keep, seed));
    }

    @Override
    public void gluMasked(Tensor g, SeqMask mask, Tensor z) {
        int C = OpChecks.glu(g, mask, z);
        CpuSequenceOps.gluMasked(f(g), m(mask), f(z), C);
    }

    @Override
    public void gluMaskedBackward(Tensor dz, Tensor g, SeqMask mask, Tensor dg) {
        int C = OpChecks.glu(g, mask, dz);
        sameSize(g, dg);
        CpuSequenceOps.gluMaskedBackward(f(dz), f(g), m(mask), f(dg), C);
    }

    @Override
    public void dropout(Tensor x, float p, long seed, Tensor out) {
        sameSize(x, out);
        float[] xd = f(x), od = f(out);
        if (p <= 0f) {
            if (xd != od) System.arraycopy(xd, 0, od, 0, xd.length);
            return;
        }
        float keep = CpuActivations.keepScale(p);
        Parallel.forChunks(xd.length, 16384, 4, (i0, i1) -> CpuVectorActivations.dropout(xd, od, i0, i1, p, keep, seed));
    }

    // ------------------------------------------------------------------ sequence ops

    @Override
    public void zeroPadded(Tensor x, SeqMask mask) {
        OpChecks.masked(x, mask);
        CpuSequenceOps.zeroPadded(f(x), m(mask), x.cols());
    }

    @Override
    public void depthwiseConv(Tensor z, Tensor weight, Tensor out) {
        OpChecks.depthwiseConv(z, weight);
        sameSize(z, out);
        CpuSequenceOps.depthwiseConv(f(z), f(weight), f(out), z.dim(0), z.dim(1), z.dim(2), weight.dim(1));
    }

    @Override
    public void depthwiseConvBackward(Tensor dOut, Tensor z, Tensor weight, Tensor dz, Tensor dWeight) {
        OpChecks.depthwiseConv(z, weight);
        sameSize(z, dOut);
        sameSize(z, dz);
        sameSize(weight, dWeight);
        CpuSequenceOps.depthwiseConvBackward(f(dOut), f(z), f(weight), f(dz), f(dWeight), z.dim(0), z.dim(1),
                z.dim(2), weight.dim(1));
    }

    @Override
    public void relPosAttention(AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved, Tensor ctx) {
        OpChecks.attention(in, heads, mask, saved.probs(), ctx);
        CpuAttention.forward(f(in.q()), f(in.k()), f(in.v()), f(in.pos()), f(in.u()), f(in.vBias()), heads, m(mask),
                saved.dropout(), saved.seed(), f(saved.probs()), f(ctx));
    }

    @Override
    public void relPosAttentionBackward(Tensor dCtx, AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved,
                                        AttentionGrads grads) {
        OpChecks.attentionBackward(dCtx, in, heads, mask, saved.probs(), grads);
        CpuAttention.backward(f(dCtx), f(in.q()), f(in.k()), f(in.v()), f(in.pos()), f(in.u()), f(in.vBias()), heads,
                m(mask), saved.dropout(), saved.seed(), f(saved.probs()), f(grads.dq()), f(grads.dk()),
                f(grads.dv()), f(grads.dPos()), f(grads.dU()), f(grads.dVBias()));
    }

    @Override
    public void maskedMeanPool(Tensor x, SeqMask mask, Tensor out) {
        OpChecks.masked(x, mask);
        OpChecks.pooled(out, mask, x.cols());
        CpuSequenceOps.maskedMeanPool(f(x), m(mask), f(out), x.cols());
    }

    @Override
    public void maskedMeanPoolBackward(Tensor dOut, SeqMask mask, Tensor dx) {
        OpChecks.masked(dx, mask);
        OpChecks.pooled(dOut, mask, dx.cols());
        CpuSequenceOps.maskedMeanPoolBackward(f(dOut), m(mask), f(dx), dx.cols());
    }

    @Override
    public void concatColumns(Tensor a, Tensor b, Tensor out) {
        int ca = a.cols(), cb = b.cols(), co = out.cols();
        if (ca + cb != co || a.rows() != b.rows() || a.rows() != out.rows()) {
            throw new ShapeException("concat " + a + " | " + b + " -> " + out);
        }
        float[] ad = f(a), bd = f(b), od = f(out);
        for (int r = 0; r < a.rows(); r++) {
            System.arraycopy(ad, r * ca, od, r * co, ca);
            System.arraycopy(bd, r * cb, od, r * co + ca, cb);
        }
    }

    // ------------------------------------------------------------------ losses

    @Override
    public double crossEntropyArgmax(Tensor logits, Tensor targets, Tensor classWeights, float scale, Tensor dLogits) {
        sameSize(logits, targets);
        if (classWeights == null) {
            return CpuLosses.crossEntropyArgmax(f(logits), f(targets), scale, f(dLogits), logits.rows(), logits.cols());
        }
        checkCols(logits, classWeights);
        sameSize(logits, dLogits);
        return CpuLosses.crossEntropyArgmaxWeighted(f(logits), f(targets), f(classWeights), scale, f(dLogits),
                logits.rows(), logits.cols());
    }

    @Override
    public double cccLoss(Tensor pred, Tensor targets, float scale, Tensor dPred) {
        sameSize(pred, targets);
        return CpuLosses.ccc(f(pred), f(targets), scale, f(dPred), pred.rows(), pred.cols());
    }

    @Override
    public double mseLoss(Tensor pred, Tensor target, float scale, Tensor dPred) {
        sameSize(pred, target);
        return CpuLosses.mse(f(pred), f(target), scale, f(dPred), pred.size());
    }

    // ------------------------------------------------------------------ optimiser

    @Override
    public void adam(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v, int[] steps,
                     AdamHyper hyper) {
        for (int i = 0; i < params.size(); i++) {
            CpuAdam.update(f(params.get(i)), f(grads.get(i)), f(m.get(i)), f(v.get(i)), steps[i], hyper);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static float[] f(Tensor t) {
        if (!(t instanceof CpuTensor c)) {
            throw new ShapeException("not a CPU tensor: " + t);
        }
        return c.data();
    }

    private static CpuMask m(SeqMask mask) {
        if (!(mask instanceof CpuMask c)) throw new ShapeException("not a CPU mask: " + mask);
        return c;
    }


}

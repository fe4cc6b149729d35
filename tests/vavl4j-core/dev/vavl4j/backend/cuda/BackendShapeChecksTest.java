package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.LayerNormStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.ShapeException;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The same bad shapes are refused by the CPU and the CUDA backend (on the emulator) with the same
 * {@link ShapeException} and the same message (tensor class names aside), before anything runs: both call
 * the checks of {@code OpChecks}. Ops whose checks were on one backend only (GLU and pooling on the CPU, the
 * LayerNorm statistics and gradients on the CPU) are among them.
 */
class BackendShapeChecksTest {
    static final int B = 2, T = 3, C = 4, K = 3;

    /** One op called with a bad shape, on whichever backend it is given. */
    record Case(String name, Consumer<Backend> call) {}

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        cs.add(new Case("glu: g not 2C wide", be -> be.gluMasked(be.zeros(B * T, 2 * C + 1), mask(be), be.zeros(B * T, C))));
        cs.add(new Case("glu: z not B·T rows", be -> be.gluMasked(be.zeros(B * T, 2 * C), mask(be), be.zeros(B * T + 1, C))));
        cs.add(new Case("glu backward: g rows", be -> be.gluMaskedBackward(be.zeros(B * T, C), be.zeros(B * T - 1, 2 * C),
                mask(be), be.zeros(B * T, 2 * C))));
        cs.add(new Case("glu backward: dg size", be -> be.gluMaskedBackward(be.zeros(B * T, C), be.zeros(B * T, 2 * C),
                mask(be), be.zeros(B * T, C))));
        cs.add(new Case("layer norm: bias width", be -> be.layerNorm(be.zeros(5, C),
                new NormAffine(be.zeros(C), be.zeros(C + 1)), 1e-5f,
                be.zeros(5, C), new LayerNormStats(be.zeros(5), be.zeros(5)))));
        cs.add(new Case("layer norm: y size", be -> be.layerNorm(be.zeros(5, C), new NormAffine(be.zeros(C), be.zeros(C)),
                1e-5f, be.zeros(4, C), new LayerNormStats(be.zeros(5), be.zeros(5)))));
        cs.add(new Case("layer norm: mean per row", be -> be.layerNorm(be.zeros(5, C),
                new NormAffine(be.zeros(C), be.zeros(C)), 1e-5f,
                be.zeros(5, C), new LayerNormStats(be.zeros(4), be.zeros(5)))));
        cs.add(new Case("layer norm backward: dBias", be -> be.layerNormBackward(be.zeros(5, C), be.zeros(5, C), be.zeros(C),
                new LayerNormStats(be.zeros(5), be.zeros(5)), be.zeros(5, C),
                new NormAffineGrads(be.zeros(C), be.zeros(C - 1)))));
        cs.add(new Case("layer norm backward: rstd", be -> be.layerNormBackward(be.zeros(5, C), be.zeros(5, C), be.zeros(C),
                new LayerNormStats(be.zeros(5), be.zeros(6)), be.zeros(5, C),
                new NormAffineGrads(be.zeros(C), be.zeros(C)))));
        cs.add(new Case("layer norm backward: dx", be -> be.layerNormBackward(be.zeros(5, C), be.zeros(5, C), be.zeros(C),
                new LayerNormStats(be.zeros(5), be.zeros(5)), be.zeros(5, C + 1),
                new NormAffineGrads(be.zeros(C), be.zeros(C)))));
        cs.add(new Case("zero padded: rows", be -> be.zeroPadded(be.zeros(B * T + 2, C), mask(be))));
        cs.add(new Case("mean pool: out", be -> be.maskedMeanPool(be.zeros(B * T, C), mask(be), be.zeros(B, C + 1))));
        cs.add(new Case("mean pool: x rows", be -> be.maskedMeanPool(be.zeros(B * T - 1, C), mask(be), be.zeros(B, C))));
        cs.add(new Case("mean pool backward: dOut", be -> be.maskedMeanPoolBackward(be.zeros(B + 1, C), mask(be),
                be.zeros(B * T, C))));
        cs.add(new Case("conv: weight channels", be -> be.depthwiseConv(be.zeros(B, T, C), be.zeros(C + 1, K), be.zeros(B, T, C))));
        cs.add(new Case("conv: z rank", be -> be.depthwiseConv(be.zeros(B * T, C), be.zeros(C, K), be.zeros(B * T, C))));
        cs.add(new Case("concat", be -> be.concatColumns(be.zeros(3, 2), be.zeros(3, 2), be.zeros(3, 5))));
        cs.add(new Case("gemm", be -> be.gemm(be.zeros(2, 3), false, be.zeros(2, 3), false, be.zeros(2, 3), 1f, 0f)));
        cs.add(new Case("axpy", be -> be.axpy(1f, be.zeros(3), be.zeros(4))));
        cs.add(new Case("bias", be -> be.addBias(be.zeros(3, 4), be.zeros(5))));
        cs.add(new Case("cross-entropy weights", be -> be.crossEntropyArgmax(be.zeros(3, 4), be.zeros(3, 4), be.zeros(5), 1f,
                be.zeros(3, 4))));
        cs.add(new Case("mask lengths", be -> be.mask(new int[] {1, T + 1}, T)));
        // attention (checked on the CUDA backend only before): C = 4 wide, 2 heads
        cs.add(new Case("attention: k rows", be -> be.relPosAttention(attn(be, B * T + 1), 2, mask(be), saved(be, 2), be.zeros(B * T, C))));
        cs.add(new Case("attention: heads do not divide d", be -> be.relPosAttention(attn(be, B * T), 3, mask(be), saved(be, 3),
                be.zeros(B * T, C))));
        cs.add(new Case("attention: probs size", be -> be.relPosAttention(attn(be, B * T), 2, mask(be), new dev.vavl4j.backend.AttentionSaved(
                be.zeros(B * 2 * T * T - 1), 0f, 1), be.zeros(B * T, C))));
        cs.add(new Case("attention backward: dPos size", be -> be.relPosAttentionBackward(be.zeros(B * T, C), attn(be, B * T), 2, mask(be),
                saved(be, 2), new dev.vavl4j.backend.AttentionGrads(be.zeros(B * T, C), be.zeros(B * T, C), be.zeros(B * T, C),
                        be.zeros(2 * T, C), be.zeros(C), be.zeros(C)))));
        return cs;
    }

    /** Attention inputs of width C with k of {@code kRows} rows (B·T when right). */
    static dev.vavl4j.backend.AttentionInputs attn(Backend be, int kRows) {
        return new dev.vavl4j.backend.AttentionInputs(be.zeros(B * T, C), be.zeros(kRows, C), be.zeros(B * T, C), be.zeros(2 * T - 1, C),
                be.zeros(C), be.zeros(C));
    }

    static dev.vavl4j.backend.AttentionSaved saved(Backend be, int heads) {
        return new dev.vavl4j.backend.AttentionSaved(be.zeros(B * heads * T * T), 0f, 1);
    }

    static SeqMask mask(Backend be) {
        return be.mask(new int[] {T, 1}, T);
    }

    @Test
    void bothBackendsRefuseTheSameBadShapesWithTheSameShapeException() {
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            for (Case c : cases()) {
                ShapeException onCpu = assertThrows(ShapeException.class, () -> c.call().accept(cpu), "CPU: " + c.name());
                ShapeException onGpu = assertThrows(ShapeException.class, () -> c.call().accept(gpu), "CUDA: " + c.name());
                assertEquals(ShapeException.class, onCpu.getClass(), c.name());
                assertEquals(ShapeException.class, onGpu.getClass(), c.name());
                assertEquals(onCpu.getMessage().replace("CpuTensor", "Tensor"), onGpu.getMessage().replace("CudaTensor", "Tensor"),
                        c.name());
            }
            gpu.synchronize(); // nothing broken was queued
        }
    }

    @Test
    void aTensorOfTheOtherBackendIsAShapeException() {
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor c = cpu.zeros(3), g = gpu.zeros(3);
            assertThrows(ShapeException.class, () -> gpu.axpy(1f, c, g));
            assertThrows(ShapeException.class, () -> cpu.axpy(1f, g, c));
            assertThrows(ShapeException.class, () -> gpu.zeroPadded(gpu.zeros(T, 1), cpu.mask(new int[] {1}, T)));
        }
    }

    @Test
    void aShapeExceptionIsAnIllegalArgumentExceptionAndNotAVavlException() {
        ShapeException e = new ShapeException("x");
        assertTrue(e instanceof IllegalArgumentException);
        assertTrue(!(((RuntimeException) e) instanceof dev.vavl4j.VavlException));
    }
}

package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Batch;
import dev.vavl4j.model.Inference;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.RandomBatch;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.model.WeightInit;
import dev.vavl4j.parity.Fixture;
import dev.vavl4j.parity.ParityCheck;
import dev.vavl4j.parity.ParityRunner;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole model on the CUDA backend: the float64 PyTorch fixtures under their pass rules, the CPU
 * reference on random inputs (outputs within 1e-4 and gradients within 1e-3, relative to each tensor's
 * largest magnitude), and no device memory growing across steps. Runs on the CPU emulator in CI and on
 * the real GPU under native-build/gpu-check.sh (-Dvavl.cuda.real=true), where the model is paper size.
 */
class CudaModelParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-classification", "tiny-regression"})
    void shippedFixturesPass(String name) {
        Fixture fx = Fixture.bundled(name);
        try (CudaBackend be = EmulatedCuda.backend()) {
            check(name, fx, be);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"heads4-k7-cls5", "heads1-k1-noshared-reg", "nomodality-layers-k9-shortT",
            "skip-visual-and-fusion", "nearpaper-d64-h8-k31"})
    void extraFixturesPass(String name) throws URISyntaxException {
        Fixture fx = Fixture.load(Path.of(getClass().getResource("/dev/vavl4j/fixtures-extra/" + name).toURI()));
        try (CudaBackend be = EmulatedCuda.backend()) {
            check(name, fx, be);
        }
    }

    private static void check(String name, Fixture fx, Backend be) {
        Map<String, HostTensor> actual = ParityRunner.run(fx, be);
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), actual, fx.config().lr());
        assertTrue(r.passed(), () -> name + " on cuda failed: " + r.failures());
    }

    /** Paper size on a GPU; a reduced model on the emulator, which runs kernels thread by thread. */
    private static VavlConfig config() {
        VavlConfig paper = VavlConfig.paperDefaults();
        if (EmulatedCuda.isRealGpu()) return paper;
        return paper.with(Map.of("model_dim", 32, "heads", 4, "ff_expansion", 2, "conv_kernel", 5, "modality_layers", 1,
                "shared_layers", 1, "head_hidden", List.of(16, 8), "audio_dim", 12, "visual_dim", 10, "proj_dim", 8));
    }

    @Test
    void matchesTheCpuReferenceOnRandomInputs() {
        VavlConfig cfg = config();
        boolean real = EmulatedCuda.isRealGpu();
        Batch batch = RandomBatch.of(cfg, real ? 32 : 3, real ? 150 : 9, real ? 90 : 6, 11);
        var init = WeightInit.initial(cfg, 5);
        Map<String, float[]> cpu = run(new CpuBackend(), cfg, init, batch);
        Map<String, float[]> gpu;
        try (CudaBackend be = EmulatedCuda.backend()) {
            gpu = run(be, cfg, init, batch);
        }
        List<String> bad = new ArrayList<>();
        for (var e : cpu.entrySet()) {
            double tol = e.getKey().contains(".grad.") ? 1e-3 : 1e-4;
            double err = relErr(gpu.get(e.getKey()), e.getValue());
            if (!(err <= tol)) bad.add(e.getKey() + " rel err " + err + " > " + tol);
        }
        assertTrue(bad.isEmpty(), () -> bad.size() + " of " + cpu.size() + " tensors differ: " + bad);
    }

    /** Eval outputs, then one training step's predictions, losses and gradients, by name. */
    private static Map<String, float[]> run(Backend be, VavlConfig cfg, Map<String, HostTensor> init, Batch batch) {
        VavlModel model = new VavlModel(cfg, ParameterStore.fromHost(be, cfg, init, "init"));
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        Inference.Result ev = Inference.run(model, batch);
        out.put("eval.audio.representation", ev.audio().representation());
        out.put("eval.visual.representation", ev.visual().representation());
        out.put("eval.fusion.pred", ev.fusion().pred());
        TrainStep.Report rep = new TrainStep(model).run(batch, 3L, true);
        for (var s : Map.of("visual", rep.visual(), "audio", rep.audio(), "fusion", rep.fusion()).entrySet()) {
            out.put("step." + s.getKey() + ".pred", s.getValue().pred());
            out.put("step." + s.getKey() + ".loss", new float[] {(float) s.getValue().loss()});
            s.getValue().grads().forEach((n, g) -> out.put("step." + s.getKey() + ".grad." + n, g));
        }
        return out;
    }

    private static double relErr(float[] a, float[] b) {
        if (a == null || a.length != b.length) return Double.NaN;
        double maxDiff = 0, maxRef = 1e-6;
        for (int i = 0; i < b.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / maxRef;
    }

    @Test
    void trainingStepsDoNotGrowDeviceMemory() {
        VavlConfig cfg = config();
        Batch batch = RandomBatch.of(cfg, 3, 9, 6, 2);
        int live;
        try (CudaBackend be = EmulatedCuda.backend()) {
            VavlModel model = new VavlModel(cfg, ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, 1), "init"));
            TrainStep step = new TrainStep(model);
            step.run(batch, 0, false);
            Inference.run(model, batch);
            int persistent = be.blocksInUse();
            live = be.liveAllocations();
            for (int i = 1; i < 4; i++) {
                step.run(batch, i, false);
                Inference.run(model, batch);
                assertEquals(live, be.liveAllocations(), "raw device allocations after step " + i);
                assertEquals(persistent, be.blocksInUse(), "tensors alive between steps after step " + i);
            }
            // weights, their gradients, Adam m and v, and BatchNorm buffers are all that stay in use
            int params = model.store().params().size();
            assertTrue(persistent >= 4 * params && persistent <= 4 * params + 64, "persistent tensors: " + persistent);
        }
    }
}

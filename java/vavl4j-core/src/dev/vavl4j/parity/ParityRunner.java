package dev.vavl4j.parity;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Inference;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Computes everything a parity fixture pins down, with the names of shared/fixtures/README.md:
 * eval-mode outputs, then one full training step (its outputs, losses and gradients) and every
 * parameter and buffer after it.
 */
public final class ParityRunner {
    private ParityRunner() {}

    /** Runs the fixture on {@code be}, with the backend's threads ({@link Backend#call}). */
    public static Map<String, HostTensor> run(Fixture fx, Backend be) {
        return be.call(() -> runHere(fx, be));
    }

    private static Map<String, HostTensor> runHere(Fixture fx, Backend be) {
        VavlConfig cfg = fx.config();
        ParameterStore store = ParameterStore.fromHost(be, cfg, fx.weights(), fx.weightsSource());
        VavlModel model = new VavlModel(cfg, store);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        int d = cfg.modelDim(), C = cfg.outputs();

        Inference.Result ev = Inference.run(model, fx.batch());
        for (var e : Map.of("audio", ev.audio(), "visual", ev.visual()).entrySet()) {
            int n = e.getValue().rows().length;
            out.put("eval." + e.getKey() + ".representation", HostTensor.ofFloats(e.getValue().representation(), n, d));
            out.put("eval." + e.getKey() + ".pred", HostTensor.ofFloats(e.getValue().pred(), n, C));
        }
        out.put("eval.fusion.pred", HostTensor.ofFloats(ev.fusion().pred(), ev.fusion().rows().length, C));

        TrainStep.Report rep = new TrainStep(model).run(fx.batch(), 0L, true);
        putStep(out, "step.visual", rep.visual(), C, cfg.visualDim(), store);
        putStep(out, "step.audio", rep.audio(), C, cfg.audioDim(), store);
        putStep(out, "step.fusion", rep.fusion(), C, 0, store);

        store.toHost().forEach((name, t) -> out.put("after." + name, t));
        return out;
    }

    private static void putStep(Map<String, HostTensor> out, String tag, TrainStep.SubStep s, int C, int reconDim,
                                ParameterStore store) {
        if (s == null) return; // skipped: fewer than 2 samples
        int n = s.rows().length;
        out.put(tag + ".pred", HostTensor.ofFloats(s.pred(), n, C));
        out.put(tag + ".loss", HostTensor.ofFloats(new float[] {(float) s.loss()}, 1));
        if (s.recon() != null) {
            out.put(tag + ".recon", HostTensor.ofFloats(s.recon(), n, reconDim));
            out.put(tag + ".recon_loss", HostTensor.ofFloats(new float[] {(float) s.reconLoss()}, 1));
        }
        s.grads().forEach((name, g) -> out.put(tag + ".grad." + name,
                HostTensor.ofFloats(g, store.param(name).value.shape())));
    }
}

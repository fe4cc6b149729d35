package dev.vavl4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cuda.CudaBackend;
import dev.vavl4j.device.Devices;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.perf.OpProfile;
import dev.vavl4j.perf.StepBenchmark;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times the paper-config model on a synthetic batch: one full training step, and eval inference of "
                + "both modalities plus fusion. Lengths are uniform in [T/2, T]; the median of --iters runs after warm-up.",
                "--json prints one line per measurement with the fields of shared/oracle/peer_bench.py."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Option(names = "--batch", defaultValue = "4", description = "batch size, at least 2: a training step needs 2 utterances (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--audio-frames", defaultValue = "150", paramLabel = "Ta", description = "padded audio length (default: ${DEFAULT-VALUE})")
    int audioFrames;

    @Option(names = "--visual-frames", defaultValue = "90", paramLabel = "Tv", description = "padded visual length (default: ${DEFAULT-VALUE})")
    int visualFrames;

    @Option(names = "--iters", defaultValue = "5", description = "timed runs of each workload (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--warmup", description = "untimed runs first (default: 1 on cpu, 3 on cuda)")
    Integer warmup;

    @Option(names = "--task", defaultValue = "classification", description = "classification (6 classes) or regression (3 attributes)")
    String task;

    @Option(names = "--tf32", description = "TF32 tensor cores for matrix products (cuda only)")
    boolean tf32;

    @Option(names = "--json", description = "one JSON object per line")
    boolean json;

    @Option(names = "--profile", description = "after each workload, the time of every backend op in the timed runs (cpu only)")
    boolean profile;

    @Override
    public Integer call() {
        if (batch < 1 || audioFrames < 1 || visualFrames < 1 || iters < 1 || (warmup != null && warmup < 0)) {
            throw new UsageException("--batch, --audio-frames, --visual-frames and --iters must be at least 1 and --warmup at least 0");
        }
        // Every run times a training step, and a step on fewer samples is skipped (spec §6): it would time nothing.
        if (batch < TrainStep.MIN_SAMPLES) {
            throw new UsageException("--batch " + batch + ": a training step needs at least " + TrainStep.MIN_SAMPLES
                    + " utterances (spec §6; with fewer it is skipped, so bench would time a step that does nothing); "
                    + "use --batch " + TrainStep.MIN_SAMPLES + " or more");
        }
        VavlConfig cfg = switch (task.toLowerCase(Locale.ROOT)) {
            case "classification" -> VavlConfig.paperDefaults();
            case "regression" -> VavlConfig.paperDefaults().with(java.util.Map.of("task", "regression", "outputs", 3, "recon_weight", 1.0));
            default -> throw new UsageException("--task: expected classification or regression, got '" + task + "'");
        };
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Devices.Selection sel = device.open(err);
        try (Backend be = sel.backend()) {
            CudaBackend cuda = be instanceof CudaBackend c ? c : null;
            if (tf32) {
                if (cuda == null) throw new UsageException("--tf32 needs --device cuda");
                cuda.setTf32(true);
            }
            if (profile && cuda != null) {
                throw new UsageException("--profile times ops on the host, which only means something on --device cpu");
            }
            var settings = new StepBenchmark.Settings(batch, audioFrames, visualFrames, iters,
                    warmup != null ? warmup : cuda != null ? 3 : 1, 0);
            if (cuda == null) err.println("cpu gemm: " + dev.vavl4j.backend.cpu.CpuGemm.implementation());
            if (!json) out.printf("%-11s %6s %5s %5s %11s %11s %10s %8s %8s%s%n", "what", "batch", "Ta", "Tv", "median ms", "min ms", "utt/s",
                    "GFLOP", "GFLOP/s",
                    cuda != null ? "  peak MiB" : "");
            StepBenchmark.run(be, cfg, settings, profile, m -> {
                if (json) out.println(json(m, be, cuda, cfg));
                else out.printf(Locale.ROOT, "%-11s %6d %5d %5d %11.1f %11.1f %10.2f %8.1f %8.1f%s%n", m.what(), m.batch(), m.audioFrames(),
                        m.visualFrames(), m.medianMs(), m.minMs(), m.uttPerSecond(), m.gemmFlops() / 1e9, m.gemmGflopPerSecond(),
                        cuda != null ? String.format(Locale.ROOT, "  %8.1f", m.peakDeviceBytes() / 1048576.0) : "");
                if (profile) printProfile(m, json ? err : out);
                out.flush();
            });
        }
        return 0;
    }

    private String json(StepBenchmark.Measurement m, Backend be, CudaBackend cuda, VavlConfig cfg) {
        ObjectNode n = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class).createObjectNode();
        n.put("impl", "vavl4j").put("what", m.what()).put("device", be.name()).put("batch", m.batch())
                .put("Ta", m.audioFrames()).put("Tv", m.visualFrames()).put("median_ms", round(m.medianMs()))
                .put("utt_per_s", round(m.uttPerSecond())).put("min_ms", round(m.minMs())).put("iters", m.iters())
                .put("task", cfg.task().name().toLowerCase(Locale.ROOT)).put("gemm_gflop", round(m.gemmFlops() / 1e9))
                .put("gemm_gflop_per_s", round(m.gemmGflopPerSecond()));
        if (cuda != null) {
            n.put("gpu", cuda.description()).put("tf32", tf32).put("peak_mem_mb", Math.round(m.peakDeviceBytes() / 1048576.0 * 10) / 10.0);
        } else {
            n.put("threads", Runtime.getRuntime().availableProcessors()).put("gemm", dev.vavl4j.backend.cpu.CpuGemm.implementation());
        }
        return n.toString();
    }

    /** The op table of one workload: time per timed run, share of the run, calls per run. */
    private static void printProfile(StepBenchmark.Measurement m, PrintWriter to) {
        double runs = m.iters(), total = m.medianMs() * runs;
        to.printf(Locale.ROOT, "%s: backend ops over %d runs (ms per run; share of the run's median wall time)%n", m.what(), m.iters());
        double covered = 0;
        for (OpProfile.Entry e : m.profile()) {
            double ms = e.nanos() / 1e6;
            covered += ms;
            if (ms / total < 0.002) continue;
            to.printf(Locale.ROOT, "  %-32s %9.1f ms %6.1f%% %7.0f calls%n", e.op(), ms / runs, 100 * ms / total, e.calls() / runs);
        }
        to.printf(Locale.ROOT, "  %-32s %9.1f ms %6.1f%%%n", "all backend ops", covered / runs, 100 * covered / total);
        to.flush();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

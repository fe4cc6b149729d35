package dev.vavl4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cuda.CudaBackend;
import dev.vavl4j.device.Devices;
import dev.vavl4j.model.VavlConfig;
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

    @Option(names = "--batch", defaultValue = "4", description = "batch size (default: ${DEFAULT-VALUE})")
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

    @Override
    public Integer call() {
        if (batch < 1 || audioFrames < 1 || visualFrames < 1 || iters < 1 || (warmup != null && warmup < 0)) {
            throw new IllegalArgumentException("--batch, --audio-frames, --visual-frames and --iters must be at least 1 and --warmup at least 0");
        }
        VavlConfig cfg = switch (task.toLowerCase(Locale.ROOT)) {
            case "classification" -> VavlConfig.paperDefaults();
            case "regression" -> VavlConfig.paperDefaults().with(java.util.Map.of("task", "regression", "outputs", 3, "recon_weight", 1.0));
            default -> throw new IllegalArgumentException("--task: expected classification or regression, got '" + task + "'");
        };
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Devices.Selection sel = device.open(err);
        try (Backend be = sel.backend()) {
            CudaBackend cuda = be instanceof CudaBackend c ? c : null;
            if (tf32) {
                if (cuda == null) throw new IllegalArgumentException("--tf32 needs --device cuda");
                cuda.setTf32(true);
            }
            var settings = new StepBenchmark.Settings(batch, audioFrames, visualFrames, iters,
                    warmup != null ? warmup : cuda != null ? 3 : 1, 0);
            if (!json) out.printf("%-11s %6s %5s %5s %11s %11s %10s%s%n", "what", "batch", "Ta", "Tv", "median ms", "min ms", "utt/s",
                    cuda != null ? "  peak MiB" : "");
            StepBenchmark.run(be, cfg, settings, m -> {
                if (json) out.println(json(m, be, cuda, cfg));
                else out.printf(Locale.ROOT, "%-11s %6d %5d %5d %11.1f %11.1f %10.2f%s%n", m.what(), m.batch(), m.audioFrames(),
                        m.visualFrames(), m.medianMs(), m.minMs(), m.uttPerSecond(),
                        cuda != null ? String.format(Locale.ROOT, "  %8.1f", m.peakDeviceBytes() / 1048576.0) : "");
                out.flush();
            });
        }
        return 0;
    }

    private String json(StepBenchmark.Measurement m, Backend be, CudaBackend cuda, VavlConfig cfg) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("impl", "vavl4j").put("what", m.what()).put("device", be.name()).put("batch", m.batch())
                .put("Ta", m.audioFrames()).put("Tv", m.visualFrames()).put("median_ms", round(m.medianMs()))
                .put("utt_per_s", round(m.uttPerSecond())).put("min_ms", round(m.minMs())).put("iters", m.iters())
                .put("task", cfg.task().name().toLowerCase(Locale.ROOT));
        if (cuda != null) {
            n.put("gpu", cuda.description()).put("tf32", tf32).put("peak_mem_mb", Math.round(m.peakDeviceBytes() / 1048576.0 * 10) / 10.0);
        } else {
            n.put("threads", Runtime.getRuntime().availableProcessors());
        }
        return n.toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

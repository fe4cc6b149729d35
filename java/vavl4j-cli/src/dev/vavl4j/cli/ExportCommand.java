package dev.vavl4j.cli;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.checkpoint.CheckpointExport;
import dev.vavl4j.io.HostTensor.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes an inference-only checkpoint: the weights (float32, or rounded to float16 / bfloat16), "
                + "config.json, normalization.safetensors and checkpoint.json (labels, frame cap, dtype), without the "
                + "optimizer state and training history. evaluate, predict and info take it as --model; train --resume does not."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory, or a training --out directory (uses its best/)")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write (written atomically; must not exist or be empty)")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16|bf16",
            description = "how the weights are stored (default: ${DEFAULT-VALUE}); they load as float32")
    String dtype;

    @Option(names = "--overwrite", description = "replace an existing non-empty --out that holds a checkpoint")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        CheckpointExport.Result r = CheckpointExport.export(model, out, parse(dtype), overwrite);
        o.printf(Locale.ROOT, "exported %s to %s: %s weights (%,d values, model.safetensors %.1f MB), no optimizer or training state%n",
                r.source().toAbsolutePath(), r.target().toAbsolutePath(), r.dtype().name().toLowerCase(Locale.ROOT), r.weights(),
                r.modelBytes() / 1e6);
        return 0;
    }

    private static DType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new InvalidInputException("--dtype must be f32, f16 or bf16, got '" + s + "'");
        };
    }
}

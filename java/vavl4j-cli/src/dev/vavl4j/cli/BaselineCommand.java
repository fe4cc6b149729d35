package dev.vavl4j.cli;

import dev.vavl4j.baseline.Baseline;
import dev.vavl4j.baseline.BaselineRequest;
import dev.vavl4j.baseline.BaselineResult;
import dev.vavl4j.baseline.SourceChoice;
import dev.vavl4j.data.Split;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.model.VavlConfig;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "baseline", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fits a simple baseline on a corpus and evaluates it like `vavl evaluate`: the mean and std of "
                + "every feature over the frames of each utterance, then L2-regularised logistic regression "
                + "(classification) or ridge regression (regression) per source — audio, visual and fused — with "
                + "the regularisation strength chosen on the Development split. See docs/baseline.md."})
final class BaselineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest CSV (FileName, label columns, Split_Set[, SpkrID])")
    Path manifest;

    @Option(names = "--features", required = true, paramLabel = "DIR", description = "features: DIR/audio/<stem>.npy, DIR/visual/<stem>.npy")
    Path features;

    @Option(names = "--task", required = true, paramLabel = "classification|regression", description = "classification (soft scores, argmax target) or regression (attributes)")
    String task;

    // One comma-separated value, split here, as train's --labels.
    @Option(names = "--labels", required = true, paramLabel = "NAME[,NAME...]", description = "label columns of the manifest, in output order")
    String labels;

    @Option(names = "--split", defaultValue = "Test", paramLabel = "Train|Development|Test", description = "which rows to report on (default: ${DEFAULT-VALUE}); the models are always fitted on Train and tuned on Development")
    String split;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the metrics and the chosen regularisation as JSON (the keys of evaluate --json plus \"baseline\"; "
            + "written atomically, never onto an input or into a checkpoint or run directory)")
    Path json;

    @Option(names = "--overwrite", description = "replace an existing --json file")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (overwrite && json == null) throw new UsageException("--overwrite applies to --json, which is not given");
        VavlConfig.Task t = TaskOptions.task(task);
        List<String> labelColumns = TaskOptions.labels(labels);
        Split s = Split.parse(split, "--split");
        Path target = json == null ? null : OutputGuard.check("--json", json, overwrite,
                OutputGuard.input("--manifest", manifest), OutputGuard.input("--features", features));

        BaselineResult result = Baseline.run(new BaselineRequest(manifest, features, t, labelColumns, s));
        result.warnings().forEach(w -> err.println("warning: " + w));
        o.print(result.report().toTable());
        o.println();
        for (SourceChoice c : result.choices()) o.println(line(c, result.selectionMetric()));
        if (json != null) {
            byte[] bytes = result.toPrettyJson().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(target, os -> os.write(bytes));
            o.println("wrote " + json);
        }
        o.flush();
        return 0;
    }

    /** One source's regularisation, e.g. {@code baseline fusion: lambda 0.01 (Development accuracy 0.9000 over 40 utterances; fitted on 126 Train utterances)}. */
    static String line(SourceChoice c, String metric) {
        if (!c.fitted()) {
            return "baseline " + c.source() + ": no model (" + c.trainN() + " Train, " + c.devN() + " Development utterances "
                    + covers(c.source()) + ")";
        }
        return String.format(Locale.ROOT, "baseline %s: lambda %s (Development %s %.4f over %d utterances; fitted on %d Train utterances)",
                c.source(), plain(c.lambda()), metric, c.devScore(), c.devN(), c.trainN());
    }

    private static String covers(String source) {
        return switch (source) {
            case "audio" -> "with audio";
            case "visual" -> "with visual";
            default -> "with both audio and visual";
        };
    }

    /** 0.0001 rather than 1.0E-4, 100 rather than 100.0: the grid's values as a person writes them. */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}

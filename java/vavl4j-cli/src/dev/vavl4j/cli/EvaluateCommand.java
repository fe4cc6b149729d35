package dev.vavl4j.cli;

import dev.vavl4j.data.Corpus;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.predict.Evaluation;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.UtteranceInference;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluates a trained model on one split of a corpus: audio-only (every utterance with audio), "
                + "visual-only (every one with visual) and fused (every one with both) — accuracy, F1 macro/micro, "
                + "macro precision/recall and confusion matrices, or CCC per attribute."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CorpusOptions corpus;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the metrics as JSON (keys audio, visual, fusion; "
            + "written atomically, never onto an input or into a checkpoint or run directory)")
    Path json;

    @Option(names = "--overwrite", description = "replace an existing --json file")
    boolean overwrite;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (overwrite && json == null) throw new UsageException("--overwrite applies to --json, which is not given");
        Path target = json == null ? null : OutputGuard.check("--json", json, overwrite, OutputGuard.input("--model", corpus.model),
                OutputGuard.input("--manifest", corpus.manifest), OutputGuard.input("--features", corpus.features));
        Predictor p = Predictor.load(corpus.model, device.open(err).backend());
        Corpus c = corpus.load(p, p.labels(), err);
        EvaluationReport report = evaluate(p, c.utterances(), corpus.split, err);
        o.print(report.toTable());
        if (json != null) {
            byte[] bytes = report.toPrettyJson().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(target, os -> os.write(bytes));
            o.println("wrote " + json);
        }
        o.flush();
        return 0;
    }

    static EvaluationReport evaluate(Predictor p, List<dev.vavl4j.data.Utterance> utts, String split, PrintWriter err) {
        AtomicInteger done = new AtomicInteger();
        List<UtteranceInference.Outputs> outs;
        try (Progress bar = Progress.start(err, "evaluate", utts.size(), "utt")) {
            outs = p.outputs(utts, n -> bar.stepTo(done.addAndGet(n)));
        }
        return Evaluation.report(split, utts, outs, p.labelCodec(), p.heads());
    }
}

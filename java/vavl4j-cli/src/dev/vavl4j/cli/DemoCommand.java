package dev.vavl4j.cli;

import dev.vavl4j.checkpoint.CheckpointDirs;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.train.TrainRequest;
import dev.vavl4j.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The shipped default: generates a small synthetic audio-visual corpus (emotion evidence split "
                + "between the modalities, ~20%% of training utterances with one modality only, variable lengths), trains "
                + "a reduced-size VAVL on it and prints the test metrics per modality. The same steps as "
                + "train → evaluate → predict on your own corpus."})
final class DemoCommand implements Callable<Integer> {
    /** Marks a directory as the demo's own, so a re-run may replace it and nothing else is ever deleted. */
    static final String MARKER = ".vavl-demo";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "vavl-demo", paramLabel = "DIR", description = "where the corpus and model go (default: ${DEFAULT-VALUE}; replaced on a re-run)")
    Path out;

    @Option(names = "--epochs", defaultValue = "12", paramLabel = "N", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "N", description = "seed of the corpus and the training (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    DeviceOption device;

    /** A reduced VAVL (d 32, one modality layer, one shared layer) so the demo trains in about a minute on 2 cores. */
    static Map<String, Object> demoModel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("proj_dim", 24);
        m.put("model_dim", 32);
        m.put("heads", 4);
        m.put("ff_expansion", 2);
        m.put("conv_kernel", 7);
        m.put("modality_layers", 1);
        m.put("shared_layers", 1);
        m.put("head_hidden", List.of(32, 16));
        m.put("lr", 1e-3);
        return m;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        OutputGuard.refuseDirectoryInsideCheckpoint("--out", out);
        prepare(out);
        var sel = device.open(err);
        o.println("== 1. corpus: GENERATED synthetic features (not recordings), " + out.resolve("corpus"));
        DemoCorpus.Summary c = DemoCorpus.generate(out.resolve("corpus"), seed);
        o.printf("   %s: %d train (%d with one modality only), %d development, %d test utterances; classes %s%n",
                c.manifest(), c.train(), c.trainUnimodal(), c.dev(), c.test(), DemoCorpus.LABELS);
        o.println("   audio carries arousal (angry/happy vs neutral/sad), visual carries valence (happy/neutral vs angry/sad)");
        o.println("== 2. train: " + out.resolve("model"));
        Map<String, Object> trainerKeys = Map.of("epochs", epochs, "batch_size", 16, "seed", seed, "patience", 0);
        TrainRequest req = new TrainRequest(c.manifest(), c.features(), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS,
                out.resolve("model"), demoModel(), trainerKeys, false);
        Trainer.Result r;
        try (TrainProgress progress = new TrainProgress(o, err, out.resolve("model"))) {
            r = Trainer.run(req, sel.backend(), progress);
        }
        o.printf("   best epoch %d (development loss %.4f)%n", r.bestEpoch(), r.bestDevLoss());
        o.println("== 3. evaluate the best checkpoint on the Test split");
        Predictor p = Predictor.load(r.best(), sel.backend());
        Corpus test = Corpus.load(Manifest.read(c.manifest(), p.labels()).rows(Split.TEST), c.features(),
                p.config().audioDim(), p.config().visualDim(), 0, null);
        EvaluationReport report = EvaluateCommand.evaluate(p, test.utterances(), Split.TEST.label, err);
        o.print(report.toTable());
        Path metrics = out.resolve("test-metrics.json");
        byte[] bytes = report.toPrettyJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(metrics, os -> os.write(bytes));
        double a = report.audio().classification().accuracy(), v = report.visual().classification().accuracy(),
                f = report.fusion().classification().accuracy();
        o.printf("fusion accuracy %.3f vs audio %.3f and visual %.3f: fusion %s each single modality%n", f, a, v,
                f >= a && f >= v ? "≥" : "is NOT ≥");
        o.println("metrics: " + metrics + "; learning curve: " + out.resolve("model").resolve(TrainProgress.CURVE));
        Path export = out.resolve("export");
        var ex = dev.vavl4j.checkpoint.CheckpointExport.export(r.best(), export, dev.vavl4j.io.HostTensor.DType.F32, false);
        o.printf("== 4. export: inference-only model (no optimizer state) in %s, %.1f MB of weights%n", export, ex.modelBytes() / 1e6);
        o.println("next: ./vavl evaluate --model " + out.resolve("model") + " --manifest " + c.manifest() + " --features " + c.features());
        o.println("      or load " + export + " from Java with Predictor.load (README, \"Using it from Java\")");
        return 0;
    }

    /** Creates {@code dir}, or clears it when an earlier demo made it; refuses to touch any other directory. */
    static void prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            boolean empty;
            try (Stream<Path> s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new UsageException("--out " + dir + " exists and was not made by `vavl demo`; choose another directory");
            }
            CheckpointDirs.deleteTree(dir);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by `vavl demo`; the whole directory is replaced when the demo runs again\n");
    }
}

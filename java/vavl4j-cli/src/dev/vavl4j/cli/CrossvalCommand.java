package dev.vavl4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.data.Split;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.JsonFiles;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.train.CrossValidation;
import dev.vavl4j.train.TrainListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "crossval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The paper's protocol: trains one model per fold manifest (OUT/fold-1, OUT/fold-2, ...), evaluates each "
                + "on its own Test split, and reports every fold and the mean ± std over folds per source (audio, visual, fusion), "
                + "with accuracy and macro/micro F1 (or CCC). An interrupted run continues: finished folds are only evaluated again."})
final class CrossvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--manifests", required = true, arity = "2..*", paramLabel = "FILE", description = "one manifest per fold (e.g. label_consensus_{1..5}.csv)")
    List<Path> manifests;

    @Option(names = "--features", required = true, paramLabel = "DIR", description = "features shared by every fold: DIR/audio/<stem>.npy, DIR/visual/<stem>.npy")
    Path features;

    @Option(names = "--task", required = true, paramLabel = "classification|regression", description = "as for train")
    String task;

    @Option(names = "--labels", required = true, paramLabel = "NAME[,NAME...]", description = "label columns, in output order")
    String labels;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the fold runs go (OUT/fold-k, each as train --out)")
    Path out;

    @Option(names = "--config", paramLabel = "FILE.json", description = "model and trainer keys, as for train, used by every fold")
    Path config;

    @Option(names = "--epochs", paramLabel = "N", description = "epochs per fold (default: the config's, else " + dev.vavl4j.train.TrainSettings.DEFAULT_EPOCHS + ")")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "N", description = "seed of every fold's run (default: the config's, else 0)")
    Long seed;

    @Option(names = "--split", defaultValue = "Test", paramLabel = "Train|Development|Test", description = "the split each fold is scored on (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--json", paramLabel = "FILE", description = "also write every fold's metrics and the summary as JSON (atomically, never onto an input)")
    Path json;

    @Option(names = "--overwrite", description = "replace an existing --json file")
    boolean overwrite;

    @Mixin
    DeviceOption device;

    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class);

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        VavlConfig.Task t = TaskOptions.task(task);
        List<String> labelColumns = TaskOptions.labels(labels);
        if (overwrite && json == null) throw new UsageException("--overwrite applies to --json, which is not given");
        Split s = Split.parse(split, "--split");
        List<OutputGuard.Input> inputs = new ArrayList<>();
        for (Path m : manifests) inputs.add(OutputGuard.input("--manifests", m));
        inputs.add(OutputGuard.input("--features", features));
        Path target = json == null ? null : OutputGuard.check("--json", json, overwrite, inputs.toArray(OutputGuard.Input[]::new));
        ObjectNode modelKeys = JSON.createObjectNode(), trainerKeys = JSON.createObjectNode();
        if (config != null) TrainCommand.splitConfig(config, TrainCommand.readConfig(config), modelKeys, trainerKeys);
        if (epochs != null) trainerKeys.put("epochs", epochs);
        if (seed != null) trainerKeys.put("seed", seed);
        var req = new CrossValidation.Request(manifests, features, t, labelColumns, out, TrainCommand.keys(modelKeys), TrainCommand.keys(trainerKeys), s);
        var sel = device.open(err);
        List<TrainProgress> open = new ArrayList<>();
        CrossValidation.Result r;
        try {
            r = CrossValidation.run(req, sel.backend(), new CrossValidation.Listener() {
                @Override
                public TrainListener fold(int index, int folds, Path manifest, Path run) {
                    o.printf("== fold %d of %d: %s -> %s%n", index, folds, manifest, run);
                    TrainProgress p = new TrainProgress(o, err, run);
                    open.add(p);
                    return p;
                }

                @Override
                public void onFoldDone(CrossValidation.Fold f) {
                    o.printf("fold %d: %s; best epoch %d%n", f.index(), f.reason(), f.bestEpoch());
                    o.print(f.report().toTable());
                    o.flush();
                }
            });
        } finally {
            open.forEach(TrainProgress::close);
        }
        o.println("== mean ± std over " + r.folds().size() + " folds (" + s.label + ")");
        o.print(CrossValidation.table(r.summary()));
        if (json != null) {
            byte[] bytes = r.toJson().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(target, os -> os.write(bytes));
            o.println("wrote " + json);
        }
        o.flush();
        return 0;
    }
}

package dev.vavl4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.io.JsonFiles;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.train.TrainRequest;
import dev.vavl4j.train.TrainSettings;
import dev.vavl4j.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains VAVL on a corpus: the three-step schedule per batch, the development loss of the fused "
                + "prediction (or of the head trained, for a one-modality corpus) after each epoch, the best checkpoint in OUT/best, resumable state in OUT/last and a "
                + "learning curve in OUT/learning-curve.png."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest CSV (FileName, label columns, Split_Set[, SpkrID])")
    Path manifest;

    @Option(names = "--features", required = true, paramLabel = "DIR", description = "features: DIR/audio/<stem>.npy, DIR/visual/<stem>.npy")
    Path features;

    @Option(names = "--task", required = true, paramLabel = "classification|regression", description = "classification (soft scores, argmax target) or regression (attributes, min/max scaled)")
    String task;

    // One comma-separated value, split here: picocli's own split would render the synopsis as
    // "--labels=a,b,...[,a,b,......] [--labels=...]...".
    @Option(names = "--labels", required = true, paramLabel = "NAME[,NAME...]", description = "label columns of the manifest, in output order")
    String labels;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (best/, last/, learning-curve.png): a new or empty directory, or with --resume a run; never one holding other files, --features or the manifest")
    Path out;

    @Option(names = "--config", paramLabel = "FILE.json", description = "spec keys (model_dim, lr, dropout, ...) and trainer keys (batch_size, epochs, seed, patience, max_frames, select_on, "
            + "time_masks, time_mask_max, feature_masks, feature_mask_max, noise_std, lr_schedule, warmup_steps, min_lr_factor, max_grad_norm, "
            + "class_weights; docs/training-small-data.md)")
    Path config;

    @Option(names = "--epochs", paramLabel = "N", description = "epochs (default " + TrainSettings.DEFAULT_EPOCHS + ")")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "utterances per batch (default " + TrainSettings.DEFAULT_BATCH_SIZE + ")")
    Integer batchSize;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the weights, shuffles and dropout (default 0)")
    Long seed;

    @Option(names = "--patience", paramLabel = "N", description = "stop after N epochs without a better development loss (or score, with select_on \"score\"); 0 = never (default "
            + TrainSettings.DEFAULT_PATIENCE + ")")
    Integer patience;

    @Option(names = "--max-frames", paramLabel = "N", description = "keep at most the first N frames per modality; 0 = all (default)")
    Integer maxFrames;

    @Option(names = "--resume", description = "continue the run in --out from OUT/last, first repairing a save a crash interrupted (only --epochs and --patience may change); a run stopped before its first epoch was saved trains again from epoch 1")
    boolean resume;

    @Mixin
    DeviceOption device;

    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class);

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        VavlConfig.Task t = TaskOptions.task(task);
        List<String> labelColumns = TaskOptions.labels(labels);
        ObjectNode modelKeys = JSON.createObjectNode(), trainerKeys = JSON.createObjectNode();
        if (config != null) splitConfig(config, readConfig(config), modelKeys, trainerKeys);
        if (epochs != null) trainerKeys.put("epochs", epochs);
        if (batchSize != null) trainerKeys.put("batch_size", batchSize);
        if (seed != null) trainerKeys.put("seed", seed);
        if (patience != null) trainerKeys.put("patience", patience);
        if (maxFrames != null) trainerKeys.put("max_frames", maxFrames);
        var sel = device.open(err);
        TrainRequest req = new TrainRequest(manifest, features, t, labelColumns, out, keys(modelKeys), keys(trainerKeys), resume);
        try (TrainProgress progress = new TrainProgress(o, err, out)) {
            Trainer.Result r = Trainer.run(req, sel.backend(), progress);
            o.printf("%s; best epoch %d (development loss %.4f)%n", r.reason(), r.bestEpoch(), r.bestDevLoss());
            o.println("best model: " + r.best());
            o.println("resume state: " + r.last());
            o.println("learning curve: " + out.resolve(TrainProgress.CURVE));
        }
        return 0;
    }

    static JsonNode readConfig(Path file) {
        String text = JsonFiles.readObjectText(file, ConfigException::new);   // checked: one JSON object
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid JSON (" + dev.vavl4j.io.JsonFiles.describe(e) + ")");
        }
    }

    /** The keys as the plain Java values TrainRequest takes (Integer, Long, Double, String, List, ...). */
    static Map<String, Object> keys(ObjectNode node) {
        return JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /**
     * Trainer keys go to the trainer, everything else to the model configuration. Both halves are validated
     * here, before any data is read, so an error names the file.
     */
    static void splitConfig(Path file, JsonNode node, ObjectNode modelKeys, ObjectNode trainerKeys) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            (TrainSettings.KEYS.contains(k) ? trainerKeys : modelKeys).set(k, node.get(k));
        }
        VavlConfig.fromJson(modelKeys.toString(), file.toString());
        TrainSettings.fromJson(trainerKeys.toString(), file.toString());
    }
}

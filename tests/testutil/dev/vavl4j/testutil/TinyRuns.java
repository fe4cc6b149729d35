package dev.vavl4j.testutil;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.train.TrainRequest;
import dev.vavl4j.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small generated corpora and a tiny model, so training tests run in seconds. */
public final class TinyRuns {
    private TinyRuns() {}

    public static DemoCorpus.Summary corpus(Path dir, long seed) throws IOException {
        return DemoCorpus.generate(dir, seed, 5);
    }

    public static ObjectNode tinyModel() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("proj_dim", 8);
        m.put("model_dim", 16);
        m.put("heads", 2);
        m.put("ff_expansion", 2);
        m.put("conv_kernel", 3);
        m.put("modality_layers", 1);
        m.put("shared_layers", 1);
        m.putArray("head_hidden").add(16).add(8);
        m.put("lr", 1e-3);
        return m;
    }

    public static ObjectNode settings(int epochs, long seed) {
        return JsonNodeFactory.instance.objectNode().put("epochs", epochs).put("batch_size", 8).put("seed", seed).put("patience", 0);
    }

    public static TrainRequest request(DemoCorpus.Summary c, Path out, ObjectNode settings, boolean resume) {
        return new TrainRequest(c.manifest(), c.features(), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS, out, keys(tinyModel()),
                keys(settings), resume);
    }

    /** A JSON object's keys as the plain Java values {@link TrainRequest} takes. */
    public static Map<String, Object> keys(ObjectNode node) {
        return new ObjectMapper().convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    public static Trainer.Result train(DemoCorpus.Summary c, Path out, int epochs) throws IOException {
        return Trainer.run(request(c, out, settings(epochs, 3), false), new CpuBackend(), null);
    }
}

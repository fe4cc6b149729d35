package dev.vavl4j.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.MemoryEstimate;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.WeightInit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 6: a predictor whose model cannot fit the heap is refused before the weights are uploaded, with
 * a ConfigException saying what it needs and what the heap has, instead of an OutOfMemoryError. A child JVM
 * with a 160 MB heap loads a checkpoint of 98 MB of weights: they fit once (the checkpoint's host copy), not
 * twice (the CPU backend's copy too).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PredictorHeapTest {
    @TempDir
    Path tmp;

    @Test
    void aModelThatCannotFitTheHeapIsRefusedBeforeItsUpload() throws Exception {
        VavlConfig cfg = VavlConfig.fromJson("{\"audio_dim\": 64, \"visual_dim\": 64, \"proj_dim\": 32, \"model_dim\": 256, \"heads\": 4, "
                + "\"ff_expansion\": 4, \"conv_kernel\": 15, \"modality_layers\": 5, \"shared_layers\": 5, \"head_hidden\": [64, 32], \"outputs\": 4}", "test");
        long weightBytes = 4 * MemoryEstimate.parameters(cfg);
        assertTrue(weightBytes > 90e6 && weightBytes < 110e6, "" + weightBytes);
        Map<String, HostTensor> weights = WeightInit.initial(cfg, 1);
        float[] zeros = new float[64], ones = new float[64];
        Arrays.fill(ones, 1f);
        Path dir = tmp.resolve("big");
        new Checkpoint(cfg, new LabelCodec(cfg.task(), List.of("a", "b", "c", "d"), null, null), new Normalizer(zeros, ones, zeros.clone(), ones.clone()),
                0, weights, null, null).save(dir);
        weights = null;

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx160m", "-XX:+UseSerialGC", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), PredictorHeapChild.class.getName(), dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("REFUSED") || l.startsWith("OOM") || l.startsWith("LOADED")).findFirst().orElse(out);
        assertTrue(line.startsWith("REFUSED "), "a ConfigException, not an OutOfMemoryError or a load: " + out);
        assertTrue(line.contains("needs about") && line.contains("maximum heap (-Xmx) is") && line.contains("parameters"), line);
    }
}

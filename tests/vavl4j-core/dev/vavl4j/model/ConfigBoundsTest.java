package dev.vavl4j.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.ConfigException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.model.VavlConfig.Task;
import dev.vavl4j.train.TrainRequest;
import dev.vavl4j.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11 item 6: every size of the configuration is bounded before anything is allocated, products that
 * shape a tensor are checked in long arithmetic, and a model whose memory cannot fit the heap is refused with
 * how much it needs and how much there is, all as one-line {@link ConfigException}s naming the key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigBoundsTest {
    @TempDir
    Path tmp;

    private static String reject(String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> VavlConfig.fromJson(json.replace('\'', '"'), "cfg.json"), json);
        assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'modality_layers': 1000000}|modality_layers|1000000",
            "{'modality_layers': 65}|modality_layers|65",
            "{'shared_layers': 100000}|shared_layers|100000",
            "{'ff_expansion': 67108864}|ff_expansion|67108864",
            "{'ff_expansion': 65}|ff_expansion|65",
            "{'audio_dim': 65537}|audio_dim|65537",
            "{'visual_dim': 2147483647}|visual_dim|2147483647",
            "{'proj_dim': 16385}|proj_dim|16385",
            "{'model_dim': 16386, 'heads': 2}|model_dim|16386",
            "{'model_dim': 1073741824, 'heads': 2}|model_dim|1073741824",
            "{'conv_kernel': 1025}|conv_kernel|1025",
            "{'head_hidden': [16385, 8]}|head_hidden[0]|16385",
            "{'head_hidden': [8, 100000]}|head_hidden[1]|100000",
            "{'outputs': 4097}|outputs|4097"})
    void everySizeHasAnUpperBoundNamingTheKey(String json, String key, String value) {
        String m = reject(json);
        assertTrue(m.contains(key) && m.contains(value) && m.contains("at most"), m);
    }

    @Test
    void productsThatShapeATensorAreCheckedWithoutOverflow() {
        // 64 × 16384 = 2^20 units: fine alone, too wide as a feed-forward layer
        String wide = reject("{'model_dim': 16384, 'heads': 8, 'ff_expansion': 64}");
        assertTrue(wide.contains("ff_expansion × model_dim") && wide.contains("1048576"), wide);
        // 16 × 16384 = 2^18 units, but 2^18 × 16384 = 2^32 elements in one weight: an int would wrap to 0
        String big = reject("{'model_dim': 16384, 'heads': 8, 'ff_expansion': 16}");
        assertTrue(big.contains("ff_expansion × model_dim × model_dim") && big.contains("4294967296"), big);
        // the largest sizes that pass build a layout whose shapes are all positive
        VavlConfig edge = VavlConfig.fromJson("{\"model_dim\": 8192, \"heads\": 8, \"ff_expansion\": 16, \"modality_layers\": 0, \"shared_layers\": 1}", "x");
        for (int[] s : ParamLayout.parameters(edge).values()) for (int d : s) assertTrue(d > 0, java.util.Arrays.toString(s));
        assertTrue(MemoryEstimate.parameters(edge) > 16L * 8192 * 8192, "counted in long");
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        VavlConfig c = VavlConfig.fromJson("{\"modality_layers\": 64, \"shared_layers\": 64, \"ff_expansion\": 64, \"model_dim\": 4096, "
                + "\"heads\": 4096, \"conv_kernel\": 1023, \"outputs\": 4096, \"audio_dim\": 65536, \"proj_dim\": 16384, \"head_hidden\": [16384, 16384]}", "x");
        assertEquals(64, c.modalityLayers());
    }

    private static VavlConfig tiny() {
        return VavlConfig.fromJson("{\"audio_dim\": 10, \"visual_dim\": 12, \"proj_dim\": 8, \"model_dim\": 16, \"heads\": 2, \"ff_expansion\": 2, "
                + "\"conv_kernel\": 3, \"modality_layers\": 1, \"shared_layers\": 1, \"head_hidden\": [16, 8], \"outputs\": 4}", "x");
    }

    @Test
    void theEstimateCountsEveryParameterAndTheAdamState() {
        VavlConfig c = tiny();
        long p = 0;
        for (int[] s : ParamLayout.parameters(c).values()) p += s.length == 1 ? s[0] : (long) s[0] * s[1];
        for (int[] s : ParamLayout.buffers(c).values()) p += s[0];
        assertEquals(p, MemoryEstimate.parameters(c));
        MemoryEstimate train = MemoryEstimate.training(c, 8, 0, true), infer = MemoryEstimate.inference(c, 16, 0, true);
        assertTrue(train.stateBytes() >= 16 * p + 12 * p - train.activationBytes(), "weights, gradients, 2 Adam moments, host copies");
        assertEquals(8 * p, infer.stateBytes(), "the checkpoint's host copy and the CPU backend's");
        assertEquals(4 * p, MemoryEstimate.inference(c, 16, 0, false).stateBytes(), "a GPU keeps the weights on the device");
        assertEquals(0, MemoryEstimate.inference(c, 16, 0, false).activationBytes());
        assertTrue(train.activationBytes() > 0 && MemoryEstimate.training(c, 16, 0, true).activationBytes() == 2 * train.activationBytes(),
                "activations grow with the batch");
        assertEquals(MemoryEstimate.NOMINAL_FRAMES, train.frames());
        assertEquals(20, MemoryEstimate.training(c, 8, 20, true).frames(), "a smaller frame cap is used as it is");
        train.requireFits(train.totalBytes());
    }

    @Test
    void aModelThatCannotFitIsRefusedSayingWhatItNeedsAndWhatThereIs() {
        MemoryEstimate e = MemoryEstimate.training(tiny(), 8, 0, true);
        ConfigException x = assertThrows(ConfigException.class, () -> e.requireFits(e.totalBytes() - 1));
        String m = x.getMessage();
        assertTrue(m.contains("needs about") && m.contains("maximum heap") && m.contains("-Xmx") && m.contains("parameters"), m);
        assertEquals(1, m.lines().count(), m);

        // a paper-width model 64 + 64 layers deep (1.2 G parameters) needs about 18 GiB for weights, gradients and Adam state
        VavlConfig deep = VavlConfig.fromJson("{\"modality_layers\": 64, \"shared_layers\": 64}", "x");
        MemoryEstimate d = MemoryEstimate.training(deep, 32, 0, true);
        assertTrue(d.parameters() > 1_000_000_000L && d.stateBytes() >= 16 * d.parameters(), d.toString());
        String dm = assertThrows(ConfigException.class, () -> d.requireFits(8L << 30)).getMessage();
        assertTrue(dm.contains("GiB") && dm.contains("8.0 GiB"), dm);
    }

    /** The trainer checks bounds and heap first: with a manifest that does not exist, the error is the config's. */
    @Test
    void theTrainerRefusesBeforeReadingAnyData() {
        Path nowhere = tmp.resolve("no-such-manifest.csv");
        for (Map<String, Object> keys : List.<Map<String, Object>>of(
                Map.of("modality_layers", 1_000_000),
                Map.of("ff_expansion", 1 << 26),
                // within every bound, but about 2.4 TiB of parameters and Adam state
                Map.of("model_dim", 8192, "heads", 8, "ff_expansion", 8, "modality_layers", 64, "shared_layers", 64))) {
            TrainRequest req = new TrainRequest(nowhere, tmp.resolve("features"), Task.CLASSIFICATION, List.of("a", "b"), tmp.resolve("out"),
                    keys, Map.of(), false);
            long t0 = System.nanoTime();
            ConfigException e;
            try (CpuBackend be = new CpuBackend(1)) {
                e = assertThrows(ConfigException.class, () -> Trainer.run(req, be, null), keys.toString());
            }
            assertTrue((System.nanoTime() - t0) < 5_000_000_000L, "refused at once");
            assertTrue(e.getMessage().startsWith("model configuration: ") || e.getMessage().contains("heap"), e.getMessage());
            assertFalse(e.getMessage().contains(nowhere.toString()), "no data was read: " + e.getMessage());
        }
    }

    /** Found by the parser fuzz: integer keys took whole-number floats, real keys had no upper bound. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'audio_dim': 2.0}|audio_dim|2.0",
            "{'conv_kernel': 3.0}|conv_kernel|3.0",
            "{'shared_layers': 1e0}|shared_layers|1.0",
            "{'ln_eps': 1e191}|ln_eps|1.0E191",
            "{'bn_eps': 1e-300}|bn_eps|1.0E-300",
            "{'adam_eps': 2}|adam_eps|2.0",
            "{'weight_decay': 1e24}|weight_decay|1.0E24",
            "{'recon_weight': 1e9}|recon_weight|1.0E9"})
    void integerKeysTakeIntegersAndRealKeysHaveRanges(String json, String key, String value) {
        String m = reject(json);
        assertTrue(m.contains(key) && m.contains(value), m);
    }
}

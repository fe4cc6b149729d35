package dev.vavl4j.parity;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU backend against oracle fixtures of configurations unlike the shipped ones (see
 * tests/vavl4j-core/resources/dev/vavl4j/fixtures-extra/NOTICE.md), under the pass rules of the fixture README.
 */
class ExtraFixturesParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"heads4-k7-cls5", "heads1-k1-noshared-reg", "nomodality-layers-k9-shortT",
            "skip-visual-and-fusion", "nearpaper-d64-h8-k31"})
    void cpuBackendPassesTheFixture(String name) throws URISyntaxException {
        Path dir = Path.of(getClass().getResource("/dev/vavl4j/fixtures-extra/" + name).toURI());
        Fixture fx = Fixture.load(dir);
        Map<String, HostTensor> actual = ParityRunner.run(fx, new CpuBackend());
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), actual, fx.config().lr());
        assertTrue(r.passed(), () -> name + " failed: " + r.failures());
        // every expected tensor was computed, and nothing was invented for a skipped step
        for (String n : fx.expected().keySet()) assertTrue(actual.containsKey(n), n);
        if (name.startsWith("skip-")) {
            assertFalse(actual.keySet().stream().anyMatch(n -> n.startsWith("step.visual.") || n.startsWith("step.fusion.")),
                    "skipped steps must produce no outputs");
        }
    }
}

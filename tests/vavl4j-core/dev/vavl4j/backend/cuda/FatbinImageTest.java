package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The kernels embedded in the jar: the architectures the issue asks for, built from today's cuda/ sources. */
class FatbinImageTest {
    private static final Path COMMITTED = Path.of("java/vavl4j-core/resources/dev/vavl4j/backend/cuda/vavl_kernels.fatbin");

    @Test
    void embeddedFatbinHasSassForAmpereToHopperAndPtx() {
        List<String> entries = FatbinImage.embedded().entries().stream().map(Object::toString).sorted().toList();
        assertEquals(List.of("compute_90", "sm_80", "sm_86", "sm_89", "sm_90"), entries);
    }

    @Test
    void runsOnTheGpusItTargetsAndNotOlderOnes() {
        FatbinImage f = FatbinImage.embedded();
        assertTrue(f.runsOn(8, 0));
        assertTrue(f.runsOn(8, 7)); // sm_86 SASS is binary compatible with 8.7
        assertTrue(f.runsOn(9, 0));
        assertTrue(f.runsOn(10, 0)); // through the PTX
        assertFalse(f.runsOn(7, 5));
    }

    @Test
    void committedFatbinWasBuiltFromTheCurrentKernelSources() throws Exception {
        // build-fatbin.sh hashes the concatenated cuda/*.cu and cuda/*.cuh in byte order of their paths.
        List<Path> sources;
        try (Stream<Path> s = Files.list(Path.of("cuda"))) {
            sources = s.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh"))
                    .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : sources) all.write(Files.readAllBytes(p));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.toByteArray()));
        String recorded = Files.readString(Path.of(COMMITTED + ".sources.sha256")).trim();
        assertEquals(hash, recorded, "java/vavl4j-core/resources/.../vavl_kernels.fatbin is stale: run native-build/build-fatbin.sh and commit it");
    }

    @Test
    void theJarEmbedsTheCommittedFatbin() throws Exception {
        assertArrayEquals(Files.readAllBytes(COMMITTED), FatbinImage.embedded().bytes());
    }

    @Test
    void rejectsSomethingThatIsNotAFatbin() {
        var e = assertThrows(CudaUnavailableException.class, () -> FatbinImage.parse(new byte[64], "x.bin"));
        assertTrue(e.getMessage().contains("x.bin"), e.getMessage());
    }
}

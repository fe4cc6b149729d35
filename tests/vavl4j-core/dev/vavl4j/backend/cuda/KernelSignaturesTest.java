package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch-signature table CudaDevice checks every launch against: written from today's cuda/ sources
 * by native-build/kernel-signatures.sh, embedded in the jar, and the block shapes the launchers read from it.
 */
class KernelSignaturesTest {
    private static final String COMMITTED = "java/vavl4j-core/resources/dev/vavl4j/backend/cuda/vavl_kernels.signatures";

    private static Path root() {
        return EmulatedCuda.projectRoot();
    }

    /** The hash build-fatbin.sh and kernel-signatures.sh take: cuda/*.cu and *.cuh concatenated in path order. */
    private static String sourcesHash() throws Exception {
        List<Path> sources;
        try (Stream<Path> s = Files.list(root().resolve("cuda"))) {
            sources = s.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh"))
                    .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : sources) all.write(Files.readAllBytes(p));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.toByteArray()));
    }

    @Test
    void committedTableWasWrittenFromTheCurrentKernelSources() throws Exception {
        KernelSignatures committed = KernelSignatures.parse(Files.readString(root().resolve(COMMITTED)), COMMITTED);
        assertEquals(sourcesHash(), committed.sourcesSha256(),
                COMMITTED + " is stale: run native-build/kernel-signatures.sh (or build-fatbin.sh) and commit it");
    }

    @Test
    void committedTableIsWhatTheScriptWritesToday(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("vavl_kernels.signatures");
        Process p;
        try {
            p = new ProcessBuilder("bash", root().resolve("native-build/kernel-signatures.sh").toString(), out.toString())
                    .directory(root().toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("bash cannot be started here: " + e.getMessage());
            return;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kernel-signatures.sh timed out");
        assertEquals(0, p.exitValue(), "kernel-signatures.sh failed:\n" + log);
        assertEquals(Files.readString(out), Files.readString(root().resolve(COMMITTED)),
                COMMITTED + " differs from what native-build/kernel-signatures.sh writes: run it and commit the result");
    }

    @Test
    void theJarEmbedsTheCommittedTable() throws Exception {
        KernelSignatures committed = KernelSignatures.parse(Files.readString(root().resolve(COMMITTED)), COMMITTED);
        KernelSignatures embedded = KernelSignatures.embedded();
        assertEquals(committed.sourcesSha256(), embedded.sourcesSha256());
        assertEquals(committed.kernels(), embedded.kernels());
        assertEquals(committed.defines(), embedded.defines());
    }

    @Test
    void everyKernelOfTheSourcesIsInTheTable() throws Exception {
        // The same declaration line the emulator's registry is built from (native-build/emu/build-emu.sh).
        java.util.Set<String> declared = new java.util.TreeSet<>();
        try (Stream<Path> s = Files.list(root().resolve("cuda"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".cu")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    var m = java.util.regex.Pattern.compile("^\\s*VAVL_KERNEL\\s+void\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(").matcher(line);
                    if (m.find()) declared.add(m.group(1));
                }
            }
        }
        assertEquals(declared, new java.util.TreeSet<>(KernelSignatures.embedded().kernels().keySet()));
        KernelSignatures.Signature ln = KernelSignatures.embedded().get("vavl_layer_norm");
        assertEquals("vavl_layer_norm(const float* x, const float* w, const float* b, float eps, float* y, float* mean, "
                + "float* rstd, int rows, int cols)", ln.toString());
        assertEquals(KernelSignatures.Kind.INT64, KernelSignatures.embedded().get("vavl_dropout").params().get(3).kind(),
                "u64 seed");
    }

    @Test
    void cTypesMapToTheJavaTypesLaunchTakes() {
        assertEquals(KernelSignatures.Kind.POINTER, KernelSignatures.Kind.of("const int*"));
        assertEquals(KernelSignatures.Kind.INT32, KernelSignatures.Kind.of("int"));
        assertEquals(KernelSignatures.Kind.INT64, KernelSignatures.Kind.of("u64"));
        assertEquals(KernelSignatures.Kind.INT64, KernelSignatures.Kind.of("long long"));
        assertEquals(KernelSignatures.Kind.FLOAT32, KernelSignatures.Kind.of("float"));
        var e = assertThrows(IllegalStateException.class, () -> KernelSignatures.parse(
                "sources-sha256\t" + "0".repeat(64) + "\nkernel\tvavl_x\tdouble\ty\n", "t.signatures"));
        assertTrue(e.getMessage().contains("t.signatures line 2") && e.getMessage().contains("double"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> KernelSignatures.parse("kernel\tvavl_x\n", "t.signatures"));
    }

    @Test
    void checkNamesTheKernelTheArgumentTheCTypeAndTheJavaType() {
        KernelSignatures.Signature fill = KernelSignatures.embedded().get("vavl_fill"); // (float* x, float value, int n)
        fill.check(new Object[] {DevicePointer.NULL, 1f, 3});
        fill.check(new Object[] {0L, 1f, 3}); // a raw device address
        var count = assertThrows(IllegalStateException.class, () -> fill.check(new Object[] {DevicePointer.NULL, 1f}));
        assertEquals("vavl_fill: launched with 2 arguments, but the kernel takes 3: vavl_fill(float* x, float value, int n)",
                count.getMessage());
        var type = assertThrows(IllegalStateException.class, () -> fill.check(new Object[] {DevicePointer.NULL, 1, 3}));
        assertEquals("vavl_fill: argument 1 (value) has C type float, which takes a Float, but an Integer was given",
                type.getMessage());
        var ptr = assertThrows(IllegalStateException.class, () -> fill.check(new Object[] {1f, 1f, 3}));
        assertTrue(ptr.getMessage().contains("argument 0 (x) has C type float*") && ptr.getMessage().contains("a Float was given"),
                ptr.getMessage());
        KernelSignatures.Signature dropout = KernelSignatures.embedded().get("vavl_dropout"); // (x, p, keep, u64 seed, out, n)
        var seed = assertThrows(IllegalStateException.class,
                () -> dropout.check(new Object[] {DevicePointer.NULL, 0.1f, 1.1f, 7, DevicePointer.NULL, 4}));
        assertTrue(seed.getMessage().contains("argument 3 (seed) has C type u64, which takes a Long"), seed.getMessage());
        var swapped = assertThrows(IllegalStateException.class,
                () -> dropout.check(new Object[] {DevicePointer.NULL, 0.1f, 1.1f, DevicePointer.NULL, 7L, 4}));
        assertTrue(swapped.getMessage().contains("argument 3 (seed)"), swapped.getMessage());
    }

    /** The block shapes defined in cuda/ and used by the launchers come from the .cu, read through the table. */
    @Test
    void blockShapesComeFromTheKernelSources() {
        assertEquals(32, KernelSignatures.define("VAVL_NORM_COLS"));
        assertEquals(KernelSignatures.define("VAVL_NORM_COLS") * KernelSignatures.define("VAVL_NORM_GROUPS"), CudaNormOps.PARTIAL_THREADS);
        assertEquals(KernelSignatures.define("VAVL_CONV_COLS") * KernelSignatures.define("VAVL_CONV_GROUPS"), CudaConv.PARTIAL_THREADS);
        assertEquals(KernelSignatures.define("VAVL_POOL_COLS") * KernelSignatures.define("VAVL_POOL_GROUPS"), CudaElementwise.POOL_THREADS);
        assertEquals(KernelSignatures.define("VAVL_BG_COLS") * KernelSignatures.define("VAVL_BG_GROUPS"), CudaElementwise.BIAS_GRAD_THREADS);
        assertEquals(KernelSignatures.define("VAVL_ATTN_BIAS_COLS") * KernelSignatures.define("VAVL_ATTN_BIAS_GROUPS"),
                CudaAttention.BIAS_THREADS);
        for (int threads : new int[] {CudaNormOps.PARTIAL_THREADS, CudaConv.PARTIAL_THREADS, CudaElementwise.POOL_THREADS,
                CudaElementwise.BIAS_GRAD_THREADS, CudaAttention.BIAS_THREADS}) {
            assertTrue(threads % 32 == 0 && threads <= 1024, threads + " threads per block");
        }
        var e = assertThrows(IllegalStateException.class, () -> KernelSignatures.define("VAVL_NO_SUCH"));
        assertTrue(e.getMessage().contains("VAVL_NO_SUCH"), e.getMessage());
    }
}

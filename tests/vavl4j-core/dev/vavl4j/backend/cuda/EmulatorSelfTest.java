package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The CPU emulator of the CUDA driver and cuBLAS checks itself: {@code build-emu.sh --selftest} builds
 * native-build/emu/selftest_main.cpp against the emulator and runs it (barriers, shuffles, shared memory,
 * atomics, divergent-barrier and out-of-bounds detection, launch limits, gemms against a naive loop).
 */
class EmulatorSelfTest {
    @Test
    void selfTestPasses() {
        EmulatedCuda.Run r = EmulatedCuda.runBuildScript(true, EmulatedCuda.emulatorDir());
        if (!r.ok()) throw EmulatedCuda.failure("the CUDA emulator self-test", r);
        assertTrue(r.output().contains("selftest passed"), r.output());
        assertTrue(!r.output().contains("FAIL"), r.output());
    }

    @Test
    void emulatorLibraryIsBuilt() {
        CudaLibraries.Locations libs = EmulatedCuda.locations();
        assertEquals(libs.cuda(), libs.cublas());
        assertTrue(libs.cuda().toFile().isFile(), libs.toString());
    }
}

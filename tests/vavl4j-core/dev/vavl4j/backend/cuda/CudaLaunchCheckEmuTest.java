package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CudaDevice.launch checks every launch against the kernel's C signature, before anything is queued (on the emulator). */
class CudaLaunchCheckEmuTest {
    @Test
    void aWrongArgumentCountFailsNamingTheKernelAndItsSignature() {
        try (CudaDevice dev = CudaDevice.open(EmulatedCuda.libraries(), 0)) {
            long p = dev.allocate(16);
            var e = assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, p, 2f));
            assertEquals("vavl_fill: launched with 2 arguments, but the kernel takes 3: vavl_fill(float* x, float value, int n)",
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, p, 2f, 4, 4));
            dev.synchronize();
            dev.free(p);
        }
    }

    @Test
    void aWrongArgumentKindFailsNamingTheArgumentTheCTypeAndTheJavaType() {
        try (CudaDevice dev = CudaDevice.open(EmulatedCuda.libraries(), 0)) {
            long p = dev.allocate(16);
            dev.upload(new float[] {1, 2, 3, 4}, p);
            var e = assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, p, 2f, 4L));
            assertEquals("vavl_fill: argument 2 (n) has C type int, which takes an Integer, but a Long was given", e.getMessage());
            var f = assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, p, 2, 4));
            assertTrue(f.getMessage().contains("argument 1 (value) has C type float, which takes a Float, but an Integer was given"),
                    f.getMessage());
            var g = assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, 2f, 2f, 4));
            assertTrue(g.getMessage().contains("argument 0 (x) has C type float*"), g.getMessage());
            float[] back = new float[4];
            dev.download(p, back);
            assertArrayEquals(new float[] {1, 2, 3, 4}, back, "a refused launch ran nothing");
            dev.launch("vavl_fill", 1, 1, 1, 32, 0, p, 2f, 4); // the right arguments still run
            dev.download(p, back);
            assertArrayEquals(new float[] {2, 2, 2, 2}, back);
            dev.free(p);
        }
    }

    /** A device pointer as the tensors and masks are one. */
    record Ptr(long address) implements DevicePointer {}

    @Test
    void aDevicePointerWhereTheKernelTakesAnIntegerIsRefused() {
        try (CudaDevice dev = CudaDevice.open(EmulatedCuda.libraries(), 0)) {
            Ptr x = new Ptr(dev.allocate(16));
            var e = assertThrows(IllegalStateException.class, () -> dev.launch("vavl_fill", 1, 1, 1, 32, 0, x, 1f, x));
            assertEquals("vavl_fill: argument 2 (n) has C type int, which takes an Integer, but a Ptr was given", e.getMessage());
            dev.launch("vavl_fill", 1, 1, 1, 32, 0, x, 1f, 4);
            dev.synchronize();
            dev.free(x.address());
        }
    }
}

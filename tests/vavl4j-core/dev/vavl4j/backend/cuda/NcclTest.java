package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NCCL binding: its absence is one clear line (always runs); a single-rank communicator all-reduces a
 * device buffer when a GPU and libnccl.so.2 are there (skipped, saying why, otherwise).
 */
class NcclTest {
    @TempDir
    Path tmp;

    @Test
    void absentLibraryIsOneLineNamingTheFileAndTheVariable() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("lib"));
        var e = assertThrows(CudaUnavailableException.class, () -> Nccl.locate(Map.of(), List.of(tmp), List.of(empty)));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith("libnccl.so.2 not found (looked in " + empty + ", LD_LIBRARY_PATH (0 dirs), "), m);
        assertTrue(m.contains("set VAVL_LIBNCCL=/path/libnccl.so.2"), m);

        e = assertThrows(CudaUnavailableException.class, () -> Nccl.locate(Map.of("VAVL_LIBNCCL", tmp + "/nope.so"), List.of(), List.of()));
        assertEquals("VAVL_LIBNCCL=" + tmp + "/nope.so: no such file", e.getMessage());

        Path notALibrary = Files.writeString(tmp.resolve("libnccl.so.2"), "not a library");
        e = assertThrows(CudaUnavailableException.class, () -> Nccl.load(notALibrary));
        assertTrue(e.getMessage().startsWith("cannot load NCCL " + notALibrary + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void foundInTheOverridesTheSystemFoldersAndTheNcclWheel() throws Exception {
        Path sys = Files.createDirectories(tmp.resolve("sys"));
        Path lib = Files.writeString(sys.resolve("libnccl.so.2"), "");
        assertEquals(lib, Nccl.locate(Map.of(), List.of(), List.of(tmp, sys)));
        Path wheel = Files.createDirectories(tmp.resolve("py/python3.12/site-packages/nvidia/nccl/lib"));
        Path fromWheel = Files.writeString(wheel.resolve("libnccl.so.2"), "");
        assertEquals(fromWheel, Nccl.locate(Map.of(), List.of(tmp.resolve("py")), List.of()));
        assertEquals(lib, Nccl.locate(Map.of("VAVL_LIBNCCL", lib.toString()), List.of(tmp.resolve("py")), List.of()));
        assertEquals(lib, Nccl.locate(Map.of("LD_LIBRARY_PATH", sys.toString()), List.of(), List.of()));
    }

    @Test
    void theUniqueIdIs128BytesPassedByValue() {
        assertEquals(128, Nccl.UNIQUE_ID.byteSize());
        assertEquals("ncclInvalidUsage", NcclException.name(5));
        assertEquals("ncclCommInitRank failed: ncclInvalidArgument (4): invalid argument",
                new NcclException("ncclCommInitRank", 4, "invalid argument").getMessage());
        assertEquals("ncclResult(42)", NcclException.name(42));
    }

    /** Rank 0 of 1: init from a fresh unique id, a grouped in-place sum, no async error, finalize and destroy. */
    @Test
    void singleRankAllReduceOnTheGpu() {
        Path ncclPath;
        CudaLibraries.Locations cuda;
        try {
            ncclPath = Nccl.locate();
            cuda = CudaLibraries.locate();
        } catch (CudaUnavailableException e) {
            assumeTrue(false, "skipped, no GPU stack: " + e.getMessage());
            return;
        }
        CudaDriver d = CudaDriver.load(cuda.cuda());
        int status = d.initStatus(0);
        assumeTrue(status == 0 && d.deviceCount() > 0, "skipped: cuInit gave " + status + " or no CUDA device");
        int dev = d.deviceGet(0);
        MemorySegment ctx = d.primaryCtxRetain(dev);
        d.ctxSetCurrent(ctx);
        Nccl nccl = Nccl.load(ncclPath);
        assertTrue(nccl.version() >= 21800, "NCCL " + nccl.version() + " (ncclCommFinalize needs 2.18+)");
        int n = 1000;
        float[] host = new float[n];
        for (int i = 0; i < n; i++) host[i] = i * 0.5f - 7;
        long buf = d.memAlloc(4L * n);
        MemorySegment comm = nccl.commInitRank(1, nccl.uniqueId(), 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocateFrom(ValueLayout.JAVA_FLOAT, host);
            d.memcpyHtoDAsync(buf, h, 4L * n, MemorySegment.NULL);
            nccl.groupStart();
            nccl.allReduce(buf, buf, n, Nccl.FLOAT32, Nccl.SUM, comm, MemorySegment.NULL);
            nccl.groupEnd();
            d.ctxSynchronize();
            assertEquals(Nccl.SUCCESS, nccl.commGetAsyncError(comm));
            MemorySegment back = a.allocate(ValueLayout.JAVA_FLOAT, n);
            d.memcpyDtoHAsync(back, buf, 4L * n, MemorySegment.NULL);
            d.ctxSynchronize();
            assertArrayEquals(host, back.toArray(ValueLayout.JAVA_FLOAT), "one rank's sum is its own buffer");
            var e = assertThrows(NcclException.class, () -> nccl.allReduce(buf, buf, n, 99, Nccl.SUM, comm, MemorySegment.NULL));
            assertTrue(e.getMessage().startsWith("ncclAllReduce failed: ncclInvalidArgument (4)"), e.getMessage());
        } finally {
            nccl.commFinalize(comm);
            nccl.commDestroy(comm);
            d.memFree(buf);
            d.primaryCtxRelease(dev);
        }
    }
}

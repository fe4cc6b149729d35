package dev.vavl4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes go through a temporary sibling and a rename: no temp files stay behind, a failed write changes nothing. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void overwritingLeavesOnlyTheTargetWithTheNewContent() throws IOException {
        Path f = dir.resolve("out.safetensors");
        SafeTensors.write(f, Map.of("a", HostTensor.ofFloats(new float[] {1f, 2f}, 2)), null);
        SafeTensors.write(f, Map.of("b", HostTensor.ofInts(new int[] {3}, 1)), Map.of("v", "2"));
        assertEquals(List.of("out.safetensors"), names());
        Map<String, HostTensor> back = SafeTensors.read(f);
        assertEquals(List.of("b"), List.copyOf(back.keySet()));
        assertArrayEquals(new int[] {3}, back.get("b").ints());
    }

    @Test
    void writerThrowingIOExceptionLeavesOldFileIntactAndNoTempFile() throws IOException {
        Path f = dir.resolve("keep.bin");
        Files.writeString(f, "old content");
        IOException boom = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("new half-writ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("keep.bin"), names());
    }

    @Test
    void writerThrowingUncheckedExceptionLeavesOldFileIntactAndNoTempFile() throws IOException {
        Path f = dir.resolve("keep.bin");
        byte[] old = new byte[3 << 20]; // larger than the 1 MiB buffer: part of the new file reaches disk
        old[0] = 42;
        Files.write(f, old);
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[2 << 20]);
            throw new UncheckedIOException(new IOException("simulated"));
        }));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("keep.bin"), names());
    }

    @Test
    void failedFirstWriteCreatesNothing() throws IOException {
        Path f = dir.resolve("never.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IOException("simulated");
        }));
        assertFalse(Files.exists(f));
        assertEquals(List.of(), names());
    }

    /** Not the owner-only 0600 of Files.createTempFile: the umask decides, as for any new file. */
    @Test
    void theFileGetsTheDefaultPermissionsOfANewFile() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path f = dir.resolve("shared.bin");
        AtomicFiles.write(f, out -> out.write(1));
        Path plain = Files.createFile(dir.resolve("plain.bin"));
        assertEquals(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Path d = AtomicFiles.createSiblingDirectory(dir, ".d-");
        Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(d));
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path f = dir.resolve("a/b/c.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of("c.bin"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** A writer may close the stream it is given (a try-with-resources Writer over it); the file is still synced and renamed. */
    @Test
    void aWriterThatClosesItsStreamStillGetsItsFile() throws IOException {
        Path f = dir.resolve("closed.txt");
        AtomicFiles.write(f, out -> {
            try (var w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                w.write("all of it");
            }
        });
        assertEquals("all of it", Files.readString(f));
        assertEquals(List.of("closed.txt"), names());
    }

    /** The temporary files of killed writes are recognised, and removed, and nothing else is. */
    @Test
    void leftoversOfKilledWritesAreRemovedAndNothingElse() throws IOException {
        Files.writeString(dir.resolve(".learning-curve.png.3kq9z1x.tmp"), "half");
        Files.writeString(dir.resolve("learning-curve.png"), "whole");
        Files.writeString(dir.resolve(".hidden"), "mine");
        Files.writeString(dir.resolve("notes.tmp"), "mine");
        Files.createDirectories(dir.resolve(".a.b1.tmp"));
        assertEquals(1, AtomicFiles.removeLeftovers(dir));
        assertEquals(List.of(".a.b1.tmp", ".hidden", "learning-curve.png", "notes.tmp"), names());
    }

    /** A directory fsync that the file system refuses (procfs), or of a directory that is gone, is tolerated. */
    @Test
    void aRefusedDirectorySyncIsTolerated() {
        AtomicFiles.syncDirectory(Path.of("/proc/self"));
        AtomicFiles.syncDirectory(dir.resolve("no-such-dir"));
    }
}

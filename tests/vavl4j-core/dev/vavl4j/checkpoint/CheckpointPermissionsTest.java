package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.testutil.RandomModels;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved checkpoint gets the permissions of any new file and directory (the umask's), not the owner-only
 * 0600 / 0700 of {@code Files.createTempFile} / {@code createTempDirectory}, so a team can share a run directory.
 */
class CheckpointPermissionsTest {
    @TempDir
    Path tmp;

    private static Set<PosixFilePermission> perms(Path p) throws IOException {
        return Files.getPosixFilePermissions(p);
    }

    @Test
    void filesAndTheDirectoryOfASaveFollowTheUmask() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        VavlConfig cfg = RandomModels.smallConfig();
        Checkpoint ck = new Checkpoint(cfg, new LabelCodec(cfg.task(), List.of("a", "b", "c"), null, null),
                new Normalizer(new float[cfg.audioDim()], ones(cfg.audioDim()), new float[cfg.visualDim()], ones(cfg.visualDim())),
                0, RandomModels.weights(cfg, 1), RandomModels.weights(cfg, 2), "{\"epochs_done\": 1}");
        Path target = tmp.resolve("ck");
        ck.save(target);
        ck.save(target);   // a replacement too
        List<Path> files;
        try (Stream<Path> s = Files.list(target)) {
            files = s.sorted().toList();
        }
        assertEquals(5, files.size(), files.toString());
        Set<PosixFilePermission> plainDir = perms(Files.createDirectory(tmp.resolve("plain-dir")));
        Set<PosixFilePermission> plainFile = perms(Files.createFile(target.resolve("plain-file")));
        assertEquals(PosixFilePermissions.toString(plainDir), PosixFilePermissions.toString(perms(target)), "checkpoint directory");
        for (Path f : files) assertEquals(PosixFilePermissions.toString(plainFile), PosixFilePermissions.toString(perms(f)), f.getFileName().toString());
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}

package dev.vavl4j.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vavl4j.data.ManifestRow;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest row finds its media by stem: a video first, then the named file, then an audio file. */
class MediaFilesTest {
    private static ManifestRow row(String fileName) {
        String stem = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        return new ManifestRow(2, fileName, stem, null, null, new double[0]);
    }

    @Test
    void prefersVideoThenTheNamedFileThenAudio(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("a.wav"));
        assertEquals(dir.resolve("a.wav"), MediaFiles.find(dir, row("a.wav")));
        Files.createFile(dir.resolve("a.flv"));
        assertEquals(dir.resolve("a.flv"), MediaFiles.find(dir, row("a.wav")));
        Files.createFile(dir.resolve("b.mp3"));
        assertEquals(dir.resolve("b.mp3"), MediaFiles.find(dir, row("b.wav")));
        Files.createFile(dir.resolve("c.MP4"));
        assertEquals(dir.resolve("c.MP4"), MediaFiles.find(dir, row("c.wav")));
        assertNull(MediaFiles.find(dir, row("d.wav")));
        Files.createDirectories(dir.resolve("sub"));
        Files.createFile(dir.resolve("sub/e.webm"));
        assertEquals(dir.resolve("sub/e.webm"), MediaFiles.find(dir, row("sub/e.wav")));
        Files.createDirectories(dir.resolve("f.mp4"));   // a folder is not a media file
        assertNull(MediaFiles.find(dir, row("f.wav")));
    }
}

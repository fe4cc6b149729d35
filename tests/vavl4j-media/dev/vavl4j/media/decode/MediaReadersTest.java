package dev.vavl4j.media.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.media.MediaFormatException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which reader a file gets, and the module without FFmpeg on its class path. */
class MediaReadersTest {
    static final Path WAV = Path.of("tests/vavl4j-media/resources/crema-d/resampled/1002_DFA_ANG_XX.wav");
    static final Path MP3 = Path.of("tests/vavl4j-media/resources/crema-d/data/1002_DFA_ANG_XX.mp3");

    @TempDir
    Path tmp;

    @Test
    void wavIsRecognisedByContentNotName() throws Exception {
        Path disguised = tmp.resolve("really-a-wav.mp3");
        Files.copy(WAV, disguised);
        MediaReader r = MediaReaders.forFile(disguised);
        assertFalse(r instanceof FfmpegReader, "RIFF/WAVE goes to WavReader whatever the name");
        DecodedMedia m = r.read(disguised, true, f -> {}, 0);
        assertEquals(16000, m.audio().sampleRate());
        assertEquals(2.61225, m.audio().seconds(), 1e-4);
        assertFalse(m.hasVideo());
        assertNull(MediaReaders.read(disguised, false, null, 0).audio());

        Path notWav = tmp.resolve("fake.wav"); // a .wav name on MP3 content goes to FFmpeg
        Files.copy(MP3, notWav);
        assertInstanceOf(FfmpegReader.class, MediaReaders.forFile(notWav));
        assertEquals(44100, MediaReaders.read(notWav, true, null, 0).audio().sampleRate());
    }

    @Test
    void missingFileIsAFormatErrorNamingIt() {
        Path missing = tmp.resolve("gone.flv");
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> MediaReaders.forFile(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void withoutFfmpegWavStillReadsAndMp3SaysWhatToAdd() throws Exception {
        try (HidingClassLoader loader = new HidingClassLoader(List.of("org.bytedeco"), HidingClassLoader.fullPath())) {
            Class<?> readers = Class.forName(MediaReaders.class.getName(), true, loader);
            assertTrue(readers.getClassLoader() == loader, "loaded afresh, not from the test class path");
            Method read = readers.getMethod("read", Path.class, boolean.class, Consumer.class, double.class);
            assertEquals(false, readers.getMethod("ffmpegAvailable").invoke(null));

            Object media = read.invoke(null, WAV, true, null, 0.0);
            Object audio = media.getClass().getMethod("audio").invoke(media);
            assertEquals(16000, audio.getClass().getMethod("sampleRate").invoke(audio));
            assertEquals(41796, ((float[]) audio.getClass().getMethod("samples").invoke(audio)).length);

            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> read.invoke(null, MP3, true, null, 0.0));
            Throwable cause = e.getCause();
            assertEquals("dev.vavl4j.media.MediaUnavailableException", cause.getClass().getName());
            assertEquals(MP3 + ": reading .mp3 files needs FFmpeg: add org.bytedeco:ffmpeg:8.1.2-1.5.14 and its linux-x86_64"
                    + " classifier (or your platform's) to the class path; WAV needs nothing", cause.getMessage());
        }
    }
}

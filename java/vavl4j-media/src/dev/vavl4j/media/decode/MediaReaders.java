package dev.vavl4j.media.decode;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.MediaUnavailableException;
import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.audio.WavReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Picks the reader for a file by its content: a RIFF/WAVE file goes to the pure-Java {@link WavReader}
 * (whatever its name), anything else to {@link FfmpegReader} when FFmpeg ({@code org.bytedeco:ffmpeg} with
 * its platform classifier) is on the class path and its native libraries load. Without FFmpeg, WAV still
 * works and other files give a {@link MediaUnavailableException} that names the artifact to add. Nothing
 * here refers to an FFmpeg class, so this class loads without FFmpeg.
 */
public final class MediaReaders {
    static final String FFMPEG_ARTIFACT = "org.bytedeco:ffmpeg:8.1.2-1.5.14 and its linux-x86_64 classifier (or your platform's)";

    private static final MediaReader WAV = (file, wantAudio, frames, fps) ->
            new DecodedMedia(wantAudio ? WavReader.read(file) : null, false, 0, 0);

    private MediaReaders() {}

    /**
     * The reader for {@code file}.
     *
     * @throws MediaFormatException      the file cannot be read at all (missing, a folder)
     * @throws MediaUnavailableException it is not WAV and FFmpeg is not usable here
     */
    public static MediaReader forFile(Path file) {
        if (isWav(file)) return WAV;
        String problem = FfmpegCheck.PROBLEM;
        if (problem != null) {
            throw new MediaUnavailableException(file + ": reading " + kind(file) + " files needs FFmpeg" + problem + ": add "
                    + FFMPEG_ARTIFACT + " to the class path; WAV needs nothing");
        }
        return new FfmpegReader();
    }

    /** {@code forFile(file).read(file, wantAudio, frames, fps)}. */
    public static DecodedMedia read(Path file, boolean wantAudio, Consumer<RgbFrame> frames, double fps) {
        return forFile(file).read(file, wantAudio, frames, fps);
    }

    /** Whether FFmpeg is on the class path and its native libraries load. */
    public static boolean ffmpegAvailable() {
        return FfmpegCheck.PROBLEM == null;
    }

    /** RIFF, a 4-byte size, WAVE: the file's first 12 bytes. */
    static boolean isWav(Path file) {
        byte[] head = new byte[12];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) n += r;
        } catch (NoSuchFileException e) {
            throw new MediaFormatException(file + ": no such file", e);
        } catch (IOException e) {
            throw new MediaFormatException(file + ": cannot read (" + e + ")", e);
        }
        return n == 12 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F'
                && head[8] == 'W' && head[9] == 'A' && head[10] == 'V' && head[11] == 'E';
    }

    private static String kind(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && dot < name.length() - 1 ? "." + name.substring(dot + 1).toLowerCase(Locale.ROOT) : "non-WAV";
    }

    /** Checked once per class loader, on first need: null when FFmpeg is usable, else the reason (",..."). */
    private static final class FfmpegCheck {
        static final String PROBLEM = check();

        private static String check() {
            ClassLoader loader = MediaReaders.class.getClassLoader();
            String[] classes = {"org.bytedeco.ffmpeg.global.avutil", "org.bytedeco.ffmpeg.global.avformat",
                    "org.bytedeco.ffmpeg.global.avcodec", "org.bytedeco.ffmpeg.global.swscale", "org.bytedeco.ffmpeg.global.swresample"};
            try {
                Class.forName(classes[1], false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return "";
            }
            try {
                for (String c : classes) Class.forName(c, true, loader); // their static initialisers load the natives
                return null;
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                return ", whose native libraries do not load here (" + String.valueOf(e).replaceAll("\\s+", " ") + ")";
            }
        }
    }
}

package dev.vavl4j.media;

import dev.vavl4j.data.ManifestRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which media file in a folder holds a manifest row. A manifest names utterances (CREMA-D's say
 * {@code 1001_DFA_ANG_XX.wav}) while the folder may hold the clip as a video ({@code 1001_DFA_ANG_XX.flv}), so
 * the file is found by the row's stem, in the folder of its FileName:
 * <ol>
 * <li>a video container {@code <stem>.<ext>} ({@link #VIDEO}, in that order): it gives both modalities;</li>
 * <li>else the file the manifest names, if it exists;</li>
 * <li>else an audio file {@code <stem>.<ext>} ({@link #AUDIO}, in that order).</li>
 * </ol>
 * Extensions are matched as written and in lower case.
 */
public final class MediaFiles {
    public static final List<String> VIDEO = List.of("mp4", "mkv", "webm", "flv", "avi", "mov", "m4v", "mpg", "mpeg", "ts", "3gp", "wmv");
    public static final List<String> AUDIO = List.of("wav", "flac", "mp3", "m4a", "aac", "ogg", "opus", "wma", "aif", "aiff");

    private MediaFiles() {}

    /** The media file of {@code row} under {@code dir}, or null when there is none. */
    public static Path find(Path dir, ManifestRow row) {
        Path named = dir.resolve(row.fileName());
        Path folder = named.getParent() == null ? dir : named.getParent();
        Path video = first(folder, row.stem(), VIDEO);
        if (video != null) return video;
        if (Files.isRegularFile(named)) return named;
        return first(folder, row.stem(), AUDIO);
    }

    private static Path first(Path folder, String stem, List<String> exts) {
        String base = Path.of(stem).getFileName().toString();
        for (String ext : exts) {
            for (String e : new String[] {ext, ext.toUpperCase(Locale.ROOT)}) {
                Path p = folder.resolve(base + "." + e);
                if (Files.isRegularFile(p)) return p;
            }
        }
        return null;
    }

    /** Whether {@code file} is in a video container by its extension (its streams decide what is read). */
    public static boolean looksLikeVideo(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot >= 0 && VIDEO.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}

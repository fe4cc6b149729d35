package dev.vavl4j.media.decode;

import dev.vavl4j.media.RgbFrame;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Decodes a media file: all of its audio, and its video frames one at a time. Get one from
 * {@link MediaReaders#forFile}; the rules (mono mix, no resampling, frame times, which frames go out) are in
 * {@link FfmpegReader} and docs/media-decode.md.
 */
public interface MediaReader {
    /**
     * @param wantAudio decode the first (FFmpeg's default) audio stream, mixed to mono at its own rate
     * @param frames    receives the video frames in presentation order, or null to skip video; called on the
     *                  calling thread, and may keep the frames
     * @param fps       hand out frames at this rate (the nearest frame at each tick {@code t_0 + k / fps}, up to
     *                  the last frame's time), or ≤ 0 for every frame
     * @throws dev.vavl4j.media.MediaFormatException when the file cannot be decoded (message names it)
     */
    DecodedMedia read(Path file, boolean wantAudio, Consumer<RgbFrame> frames, double fps);
}

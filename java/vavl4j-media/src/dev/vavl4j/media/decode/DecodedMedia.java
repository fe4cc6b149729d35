package dev.vavl4j.media.decode;

import dev.vavl4j.media.PcmAudio;

/**
 * What {@link MediaReader#read} found in a file.
 *
 * @param audio       the audio stream decoded and mixed to mono at its own rate, or null when the file has
 *                    none or audio was not asked for
 * @param hasVideo    whether the file has a video stream
 * @param videoFrames frames handed to the frame consumer
 * @param videoFps    the rate of the frames handed out (the stream's own, as FFmpeg guesses it, or the
 *                    requested one); 0 for a WAV
 */
public record DecodedMedia(PcmAudio audio, boolean hasVideo, int videoFrames, double videoFps) {}

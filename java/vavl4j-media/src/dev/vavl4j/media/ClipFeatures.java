package dev.vavl4j.media;

import dev.vavl4j.data.Features;

/**
 * One media file's features.
 *
 * @param audio          audio features, or null (no audio stream, no audio front end, or too short for one frame)
 * @param visual         visual features, or null (see {@link #visualNote})
 * @param hasAudio       whether the file has an audio stream
 * @param hasVideo       whether the file has a video stream
 * @param framesSeen     video frames handed to the visual front end
 * @param framesDetected of those, frames where the face was detected (the rest reused the last box)
 */
public record ClipFeatures(Features audio, Features visual, boolean hasAudio, boolean hasVideo, int framesSeen, int framesDetected) {
    /** Why there are no visual features (null when there are, or when no visual front end was asked for). */
    public String visualNote() {
        if (visual != null) return null;
        if (!hasVideo) return "no video stream";
        if (framesSeen == 0) return "no video frames";
        return "no face in any of " + framesSeen + " frames";
    }

    /** Why there are no audio features (null when there are). */
    public String audioNote() {
        if (audio != null) return null;
        return hasAudio ? "audio too short for one frame" : "no audio stream";
    }
}

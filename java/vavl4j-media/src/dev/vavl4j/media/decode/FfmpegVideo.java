package dev.vavl4j.media.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.RgbFrame;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Decoded video frames to {@link RgbFrame}s at their native size (swscale, RGB24), timed in seconds from the
 * file's start, and on to the {@link FramePicker}. Loaded only by {@link FfmpegReader}.
 */
final class FfmpegVideo implements AutoCloseable {
    private final String file;
    private final double timeBase;
    private final double start;
    private final double step; // for frames without a timestamp: one frame period after the last
    private final FramePicker picker;
    private final AVFrame rgb = av_frame_alloc();
    private SwsContext sws;
    private double last = Double.NEGATIVE_INFINITY;

    FfmpegVideo(String file, double timeBase, double start, double streamFps, FramePicker picker) {
        this.file = file;
        this.timeBase = timeBase;
        this.start = start;
        this.step = streamFps > 0 ? 1 / streamFps : 0.04;
        this.picker = picker;
        if (rgb == null) throw new OutOfMemoryError("FFmpeg could not allocate a frame");
    }

    void accept(AVFrame f) {
        int w = f.width(), h = f.height();
        if (w <= 0 || h <= 0) throw new MediaFormatException(file + ": a video frame has size " + w + "x" + h);
        long ts = f.best_effort_timestamp();
        double t = ts == AV_NOPTS_VALUE ? (last == Double.NEGATIVE_INFINITY ? 0 : last + step) : ts * timeBase - start;
        if (t < last) t = last; // keep times monotone even when a broken file's are not
        last = t;

        // returns the same context while the size and format stay, a new one (old freed) when they change
        sws = sws_getCachedContext(sws, w, h, f.format(), w, h, AV_PIX_FMT_RGB24, SWS_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null || sws.isNull()) {
            sws = null;
            throw new MediaFormatException(file + ": cannot convert the video's pixel format " + f.format() + " to RGB");
        }
        if (rgb.width() != w || rgb.height() != h) {
            av_frame_unref(rgb);
            rgb.format(AV_PIX_FMT_RGB24).width(w).height(h);
            int r = av_frame_get_buffer(rgb, 0);
            if (r < 0) throw FfmpegReader.failure(file, "cannot allocate an RGB frame", r);
        }
        sws_scale(sws, f.data(), f.linesize(), 0, h, rgb.data(), rgb.linesize());

        byte[] px = new byte[w * h * 3];
        BytePointer src = rgb.data(0);
        int stride = rgb.linesize(0), row = w * 3;
        if (stride == row) src.get(px, 0, px.length);
        else for (int y = 0; y < h; y++) src.position((long) y * stride).get(px, y * row, row);
        picker.offer(new RgbFrame(w, h, px, t));
    }

    int emitted() {
        return picker.emitted();
    }

    @Override
    public void close() {
        if (sws != null) sws_freeContext(sws);
        av_frame_free(rgb);
    }
}

package dev.vavl4j.media.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_compare;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert_frame;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Decoded audio frames to one mono float signal: swresample converts each frame's sample format to planar
 * float with the same layout and rate (so it only converts, never resamples or remixes), then the channels
 * are averaged here — swresample's own downmix would apply centre/surround gains, and {@link PcmAudio}
 * promises the plain mean. Loaded only by {@link FfmpegReader}.
 */
final class FfmpegAudio implements AutoCloseable {
    private final String file;
    private final AVFrame planar = av_frame_alloc();
    private final AVChannelLayout layout = new AVChannelLayout(); // the layout swr was set up for
    private SwrContext swr;
    private int format = -1;
    private int rate;
    private float[] samples = new float[1 << 16];
    private int n;
    private float[] plane = new float[0];

    FfmpegAudio(String file) {
        this.file = file;
        if (planar == null) throw new OutOfMemoryError("FFmpeg could not allocate a frame");
        Pointer.memset(layout, 0, layout.sizeof()); // an empty layout, so uninit() has nothing to free
    }

    void accept(AVFrame f) {
        if (rate == 0) rate = f.sample_rate();
        else if (f.sample_rate() != rate) {
            throw new MediaFormatException(file + ": the audio's sample rate changes from " + rate + " to " + f.sample_rate() + " Hz mid-stream");
        }
        if (swr == null || f.format() != format || av_channel_layout_compare(f.ch_layout(), layout) != 0) {
            // first frame, or the decoder changed its output: start a fresh converter for the new input
            if (swr != null) swr_free(swr);
            swr = swr_alloc();
            if (swr == null || swr.isNull()) throw new OutOfMemoryError("FFmpeg could not allocate a resampler");
            av_channel_layout_uninit(layout);
            if (av_channel_layout_copy(layout, f.ch_layout()) < 0) throw new OutOfMemoryError("FFmpeg could not copy a channel layout");
            format = f.format();
        }
        planar.format(AV_SAMPLE_FMT_FLTP).sample_rate(rate);
        av_channel_layout_copy(planar.ch_layout(), layout);
        try {
            int r = swr_convert_frame(swr, planar, f);
            if (r < 0) throw FfmpegReader.failure(file, "cannot convert the audio samples", r);
            mix(planar);
        } finally {
            av_frame_unref(planar);
        }
    }

    private void mix(AVFrame p) {
        int count = p.nb_samples();
        int channels = p.ch_layout().nb_channels();
        if (count <= 0 || channels <= 0) return;
        if (n + count > samples.length) samples = Arrays.copyOf(samples, Math.max(samples.length * 2, n + count));
        if (plane.length < count) plane = new float[count];
        for (int c = 0; c < channels; c++) {
            new FloatPointer(p.extended_data(c)).get(plane, 0, count);
            if (c == 0) System.arraycopy(plane, 0, samples, n, count);
            else for (int i = 0; i < count; i++) samples[n + i] += plane[i];
        }
        if (channels > 1) {
            float scale = 1f / channels;
            for (int i = 0; i < count; i++) samples[n + i] *= scale;
        }
        n += count;
    }

    /** The mono signal, or null when the stream gave no samples at all. */
    PcmAudio result() {
        return n == 0 ? null : new PcmAudio(Arrays.copyOf(samples, n), rate);
    }

    @Override
    public void close() {
        if (swr != null) swr_free(swr);
        av_channel_layout_uninit(layout);
        layout.close();
        av_frame_free(planar);
    }
}

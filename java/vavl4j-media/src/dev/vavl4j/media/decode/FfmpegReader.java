package dev.vavl4j.media.decode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_CORRUPT;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_DURATION_FROM_BITRATE;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import dev.vavl4j.media.RgbFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Any container and codec FFmpeg knows (the javacpp-presets build, {@code org.bytedeco:ffmpeg}). Use it
 * through {@link MediaReaders}, which checks that FFmpeg is there first; this class and the ones only it
 * loads ({@code FfmpegAudio}, {@code FfmpegVideo}) are the only ones that touch FFmpeg.
 *
 * <ul>
 * <li>Audio: every sample of the default audio stream ({@code av_find_best_stream}), converted to float by
 *     swresample at the stream's own rate and layout, then mixed to mono as the mean of the channels. No
 *     resampling here: the audio front ends resample with their own filter.</li>
 * <li>Video: the default video stream (cover art excluded), every frame converted to RGB24 at its native
 *     size by swscale; times are {@code best_effort_timestamp} in seconds from the file's start time; which
 *     frames go out is the rule of {@code FramePicker} (see docs/media-decode.md).</li>
 * <li>Errors: a packet FFmpeg marks corrupt or packets that end well before the duration the header
 *     declares (a truncated file), a demuxer or decoder error, or a file with
 *     neither stream is a {@link MediaFormatException} naming the file and FFmpeg's own error text; every
 *     native object is freed on every path.</li>
 * </ul>
 * FFmpeg's logging is switched off (library code prints nothing). Decoders run single-threaded: callers
 * decode several files at once, each call owns all of its native state, so calls on different threads are
 * independent.
 */
public final class FfmpegReader implements MediaReader {
    /** How far the packets may end before the declared duration (headers round, streams end unevenly). */
    static final double TRUNCATION_SLACK_SECONDS = 0.25, TRUNCATION_SLACK_FRACTION = 0.02;

    static {
        av_log_set_level(AV_LOG_QUIET);
    }

    @Override
    public DecodedMedia read(Path file, boolean wantAudio, Consumer<RgbFrame> frames, double fps) {
        try (Decoding d = new Decoding(file.toString())) {
            return d.run(wantAudio, frames, fps);
        }
    }

    /** FFmpeg's text for an error code. */
    static String errorText(int err) {
        byte[] buf = new byte[256];
        if (av_strerror(err, buf, buf.length) < 0) return "error " + err;
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    static MediaFormatException failure(String file, String what, int err) {
        return new MediaFormatException(file + ": " + what + " (" + errorText(err) + ")");
    }

    /** One file's native state; close() frees whatever was allocated, in reverse order. */
    private static final class Decoding implements AutoCloseable {
        private final String file;
        private AVFormatContext fmt;
        private AVCodecContext audioCtx;
        private AVCodecContext videoCtx;
        private AVPacket packet;
        private AVFrame frame;
        private FfmpegAudio audio;
        private FfmpegVideo video;

        Decoding(String file) {
            this.file = file;
        }

        DecodedMedia run(boolean wantAudio, Consumer<RgbFrame> frames, double fps) {
            fmt = new AVFormatContext(null);
            int r = avformat_open_input(fmt, file, null, null);
            if (r < 0) throw failure(file, "cannot open", r);
            r = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
            if (r < 0) throw failure(file, "cannot read the stream parameters", r);
            int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
            int v = videoStream();
            if (a < 0 && v < 0) throw new MediaFormatException(file + ": has neither an audio nor a video stream");

            double start = fmt.start_time() == AV_NOPTS_VALUE ? 0 : fmt.start_time() / (double) AV_TIME_BASE;
            double streamFps = v >= 0 ? rate(av_guess_frame_rate(fmt, fmt.streams(v), null)) : 0;
            if (wantAudio && a >= 0) {
                audioCtx = openDecoder(a, "audio");
                audio = new FfmpegAudio(file);
            }
            if (frames != null && v >= 0) {
                videoCtx = openDecoder(v, "video");
                AVStream st = fmt.streams(v);
                video = new FfmpegVideo(file, av_q2d(st.time_base()), start, streamFps, new FramePicker(file, fps, frames));
            }
            double[] tb = {a >= 0 ? av_q2d(fmt.streams(a).time_base()) : 0, v >= 0 ? av_q2d(fmt.streams(v).time_base()) : 0};
            double end = Double.NEGATIVE_INFINITY; // the latest audio or video packet's end, decoded or not
            packet = av_packet_alloc();
            frame = av_frame_alloc();
            if (packet == null || frame == null) throw new OutOfMemoryError("FFmpeg could not allocate a packet or frame");
            while ((r = av_read_frame(fmt, packet)) != AVERROR_EOF) {
                if (r < 0) throw failure(file, "cannot read", r);
                try {
                    int s = packet.stream_index();
                    if ((s == a || s == v) && (packet.flags() & AV_PKT_FLAG_CORRUPT) != 0) {
                        throw new MediaFormatException(file + ": truncated or corrupt (damaged packet in stream " + s + ")");
                    }
                    if (s == a || s == v) end = Math.max(end, packetEnd(packet, tb[s == a ? 0 : 1]) - start);
                    if (s == a && audio != null) decode(audioCtx, packet, true);
                    else if (s == v && video != null) decode(videoCtx, packet, false);
                } finally {
                    av_packet_unref(packet);
                }
            }
            checkComplete(end, start, a, v);
            if (audio != null) decode(audioCtx, null, true); // flush: the decoders' delayed frames
            if (video != null) decode(videoCtx, null, false);

            PcmAudio pcm = audio == null ? null : audio.result();
            int handed = video == null ? 0 : video.emitted();
            return new DecodedMedia(pcm, v >= 0, handed, fps > 0 ? fps : streamFps);
        }

        private static double packetEnd(AVPacket p, double timeBase) {
            long ts = p.pts() != AV_NOPTS_VALUE ? p.pts() : p.dts();
            return ts == AV_NOPTS_VALUE ? Double.NEGATIVE_INFINITY : (ts + Math.max(0, p.duration())) * timeBase;
        }

        /**
         * A cut-off file whose last packet happens to be whole (the MP3 parser drops a partial frame without a
         * corrupt mark) is seen only here: its packets end well before the duration its header declares — the
         * audio and video streams' own durations where the container gives them (a longer subtitle stream
         * must not count), else the file's. A duration FFmpeg merely estimated from the bit rate is not
         * trusted for this. A cut within the slack of the end can pass.
         */
        private void checkComplete(double end, double start, int... streams) {
            if (end == Double.NEGATIVE_INFINITY || fmt.duration_estimation_method() == AVFMT_DURATION_FROM_BITRATE) return;
            double declared = Double.NEGATIVE_INFINITY;
            for (int i : streams) {
                if (i < 0) continue;
                AVStream st = fmt.streams(i);
                if (st.duration() == AV_NOPTS_VALUE || st.duration() <= 0) continue;
                long from = st.start_time() == AV_NOPTS_VALUE ? 0 : st.start_time();
                declared = Math.max(declared, (from + st.duration()) * av_q2d(st.time_base()) - start);
            }
            if (declared == Double.NEGATIVE_INFINITY) {
                long d = fmt.duration();
                if (d == AV_NOPTS_VALUE || d <= 0) return;
                declared = d / (double) AV_TIME_BASE;
            }
            if (end < declared - Math.max(TRUNCATION_SLACK_SECONDS, TRUNCATION_SLACK_FRACTION * declared)) {
                throw new MediaFormatException(String.format(java.util.Locale.ROOT,
                        "%s: truncated (its packets end at %.3f s, its header declares %.3f s)", file, end, declared));
            }
        }

        /** The default video stream, or another one when FFmpeg's default is cover art; -1 when none. */
        private int videoStream() {
            int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
            if (v < 0 || (fmt.streams(v).disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0) return v;
            for (int i = 0; i < fmt.nb_streams(); i++) {
                AVStream st = fmt.streams(i);
                if (st.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO && (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0) return i;
            }
            return -1;
        }

        private AVCodecContext openDecoder(int index, String kind) {
            AVStream st = fmt.streams(index);
            int id = st.codecpar().codec_id();
            AVCodec codec = avcodec_find_decoder(id);
            if (codec == null || codec.isNull()) {
                throw new MediaFormatException(file + ": this FFmpeg has no decoder for the " + kind + " codec " + avcodec_get_name(id).getString());
            }
            AVCodecContext ctx = avcodec_alloc_context3(codec);
            if (ctx == null || ctx.isNull()) throw new OutOfMemoryError("FFmpeg could not allocate a codec context");
            if (kind.equals("audio")) audioCtx = ctx; // owned from here on, so close() frees it if the rest fails
            else videoCtx = ctx;
            int r = avcodec_parameters_to_context(ctx, st.codecpar());
            if (r < 0) throw failure(file, "cannot set up the " + kind + " decoder", r);
            ctx.pkt_timebase(st.time_base());
            ctx.thread_count(1);
            r = avcodec_open2(ctx, codec, (PointerPointer<?>) null);
            if (r < 0) throw failure(file, "cannot open the " + kind + " decoder", r);
            return ctx;
        }

        /** Sends one packet (null: end of stream) and hands every frame it completes to the sink. */
        private void decode(AVCodecContext ctx, AVPacket pkt, boolean isAudio) {
            String kind = isAudio ? "audio" : "video";
            int r = avcodec_send_packet(ctx, pkt);
            if (r < 0 && r != AVERROR_EOF) throw failure(file, "cannot decode the " + kind, r);
            while (true) {
                r = avcodec_receive_frame(ctx, frame);
                if (r == AVERROR_EAGAIN() || r == AVERROR_EOF) return;
                if (r < 0) throw failure(file, "cannot decode the " + kind, r);
                try {
                    if (isAudio) audio.accept(frame);
                    else video.accept(frame);
                } finally {
                    av_frame_unref(frame);
                }
            }
        }

        private static double rate(AVRational q) {
            return q == null || q.num() <= 0 || q.den() <= 0 ? 0 : av_q2d(q);
        }

        @Override
        public void close() {
            if (video != null) video.close();
            if (audio != null) audio.close();
            if (frame != null) av_frame_free(frame);
            if (packet != null) av_packet_free(packet);
            if (videoCtx != null && !videoCtx.isNull()) avcodec_free_context(videoCtx);
            if (audioCtx != null && !audioCtx.isNull()) avcodec_free_context(audioCtx);
            if (fmt != null && !fmt.isNull()) avformat_close_input(fmt); // a failed open already freed it
        }
    }
}

package dev.vavl4j.media.bench;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.PcmAudio;
import dev.vavl4j.media.audio.FbankFrontEnd;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fbank front end on 10 s of audio, one thread. Real-time factor = 10 s / (score in ms / 1000).
 * {@code fbank16k}: the 16 kHz input the features job mostly sees (no resampling); {@code fbank44k}: the
 * same length at 44.1 kHz, which includes resampling to 16 kHz.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FbankBench {
    /** Seconds of audio per call. */
    @Param("10")
    public int seconds;

    private final FbankFrontEnd frontEnd = new FbankFrontEnd();
    private PcmAudio audio16k, audio44k;

    @Setup
    public void setup() {
        audio16k = new PcmAudio(speechLike(16000 * seconds, 16000), 16000);
        audio44k = new PcmAudio(speechLike(44100 * seconds, 44100), 44100);
    }

    /** Noise through a moving resonance plus a little hiss: not silence, so no branch is cheaper than in real speech. */
    static float[] speechLike(int n, int rate) {
        Random r = new Random(1);
        float[] x = new float[n];
        double y1 = 0, y2 = 0;
        for (int i = 0; i < n; i++) {
            double f = 300 + 2000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 0.7 * i / rate));
            double rr = 0.98, c = 2 * rr * Math.cos(2 * Math.PI * f / rate);
            double y = r.nextGaussian() * 0.02 + c * y1 - rr * rr * y2;
            y2 = y1;
            y1 = y;
            x[i] = (float) Math.max(-1, Math.min(1, 0.1 * y + 0.001 * r.nextGaussian()));
        }
        return x;
    }

    @Benchmark
    public Features fbank16k() {
        return frontEnd.extract(audio16k);
    }

    @Benchmark
    public Features fbank44k() {
        return frontEnd.extract(audio44k);
    }
}

package dev.vavl4j.media.audio;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.AudioFrontEnd;
import dev.vavl4j.media.FrontEndInfo;
import dev.vavl4j.media.PcmAudio;

/**
 * The built-in audio front end {@code fbank}: Kaldi log-mel filterbank ({@link KaldiFbank}), 80 bins by
 * default, on audio resampled to the options' rate ({@link Resampler}) when it arrives at another one.
 * Its {@link FrontEndInfo} lists every option, so features made with other options are told apart.
 *
 * <p>A clip shorter than one frame (400 samples at 16 kHz by default) gives Features with 0 frames, not an
 * error: whether an empty audio modality is acceptable is the caller's decision. Thread-safe: the
 * extractor holds only immutable tables.
 */
public final class FbankFrontEnd implements AudioFrontEnd {
    public static final String NAME = "fbank";

    private final KaldiFbank fbank;
    private final FrontEndInfo info;

    public FbankFrontEnd() {
        this(FbankOptions.DEFAULTS);
    }

    public FbankFrontEnd(FbankOptions options) {
        fbank = new KaldiFbank(options);
        info = new FrontEndInfo(NAME, options.settings());
    }

    @Override
    public FrontEndInfo info() {
        return info;
    }

    /** [frames, numMelBins]; 0 frames when the (resampled) clip is shorter than one frame. */
    @Override
    public Features extract(PcmAudio audio) {
        return fbank.compute(audio);
    }
}

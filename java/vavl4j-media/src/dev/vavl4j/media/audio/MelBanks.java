package dev.vavl4j.media.audio;

/**
 * Kaldi's triangular mel filters (torchaudio {@code get_mel_banks} without VTLN), stored sparsely: filter
 * b has weights {@code weights[b]} on FFT bins {@code first[b] .. first[b] + weights[b].length - 1}.
 *
 * <p>Mel scale m(f) = 1127·ln(1 + f/700). The filter edges are num_bins + 2 points equally spaced in mel
 * between m(low) and m(high); filter b rises linearly in mel from edge b to edge b+1 and falls to edge b+2.
 * The weight of FFT bin k (frequency k·rate/fft) is max(0, min(up, down)) of those two slopes. Bins are
 * 0 .. fft/2 - 1: like Kaldi, the Nyquist bin gets no weight. Computed with torchaudio's float32
 * operations (the edges from double scalars rounded to float), so weights equal torch's to about 1 ulp.
 */
final class MelBanks {
    final int[] first;
    final float[][] weights;

    MelBanks(int numBins, int fftSize, double sampleRate, double lowFreq, double highFreq) {
        double nyquist = 0.5 * sampleRate;
        double high = highFreq <= 0 ? highFreq + nyquist : highFreq;
        int fftBins = fftSize / 2;
        double melLow = mel(lowFreq), melHigh = mel(high);
        float delta = (float) ((melHigh - melLow) / (numBins + 1)), lo = (float) melLow;
        float binWidth = (float) (sampleRate / fftSize);

        float[] melOfBin = new float[fftBins];
        for (int k = 0; k < fftBins; k++) {
            float f = k * binWidth;
            float q = 1f + f / 700f;
            melOfBin[k] = 1127f * (float) StrictMath.log(q);
        }
        first = new int[numBins];
        weights = new float[numBins][];
        float[] row = new float[fftBins];
        for (int b = 0; b < numBins; b++) {
            float left = lo + b * delta, center = lo + (b + 1f) * delta, right = lo + (b + 2f) * delta;
            int from = -1, to = -1;
            for (int k = 0; k < fftBins; k++) {
                float up = (melOfBin[k] - left) / (center - left);
                float down = (right - melOfBin[k]) / (right - center);
                row[k] = Math.max(0f, Math.min(up, down));
                if (row[k] > 0) {
                    if (from < 0) from = k;
                    to = k;
                }
            }
            // A filter narrower than one FFT bin has no weight at all (Kaldi would warn); keep it empty.
            first[b] = Math.max(from, 0);
            weights[b] = from < 0 ? new float[0] : java.util.Arrays.copyOfRange(row, from, to + 1);
        }
    }

    static double mel(double hz) {
        return 1127.0 * StrictMath.log(1.0 + hz / 700.0);
    }
}

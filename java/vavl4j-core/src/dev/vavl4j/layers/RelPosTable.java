package dev.vavl4j.layers;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The relative sinusoids of spec §3: row r + T − 1 holds P(r) for distance r = i − j ∈ [−(T−1), T−1],
 * P(r)[2k] = sin(r·10000^(−2k/d)), P(r)[2k+1] = cos(r·10000^(−2k/d)). Computed in double, cached.
 */
public final class RelPosTable {
    private static final ConcurrentHashMap<Long, float[]> CACHE = new ConcurrentHashMap<>();

    private RelPosTable() {}

    public static float[] get(int T, int d) {
        return CACHE.computeIfAbsent(((long) T << 32) | d, key -> compute(T, d));
    }

    private static float[] compute(int T, int d) {
        float[] pe = new float[(2 * T - 1) * d];
        for (int row = 0; row < 2 * T - 1; row++) {
            double r = row - (T - 1);
            for (int k = 0; k < d; k += 2) {
                double div = Math.exp(k * -(Math.log(10000.0) / d));
                pe[row * d + k] = (float) Math.sin(r * div);
                if (k + 1 < d) pe[row * d + k + 1] = (float) Math.cos(r * div);
            }
        }
        return pe;
    }
}

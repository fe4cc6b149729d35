package dev.vavl4j.backend;

/**
 * The dropout mask every backend must reproduce: element i of a tensor dropped with seed s is dropped
 * iff {@code uniform(s, i) < p}. A counter-based hash (SplitMix64 finaliser) rather than a stateful
 * generator, so the mask needs no storage, backward regenerates it, and a GPU thread can compute its
 * own element independently.
 */
public final class DropoutHash {
    private DropoutHash() {}

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 bits, from (seed, index). */
    public static float uniform(long seed, long index) {
        long h = mix(seed + 0x9E3779B97F4A7C15L * (index + 1));
        return (h >>> 40) * 0x1.0p-24f;
    }

    /** Derives an independent seed for a numbered use of a base seed. */
    public static long derive(long seed, long use) {
        return mix(seed ^ mix(use + 0x632BE59BD9B4E019L));
    }
}

package dev.vavl4j.io;

/**
 * IEEE binary16 (F16) and bfloat16 (BF16) bit patterns of floats and back. Narrowing rounds to nearest,
 * ties to even; values beyond the range become ±infinity, values below half the smallest subnormal ±0, and
 * a NaN stays a NaN (never an infinity). Widening is exact.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** The F16 bits of {@code x} (the JDK's conversion, which rounds to nearest even and keeps subnormals). */
    public static short toF16(float x) {
        return Float.floatToFloat16(x);
    }

    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** The BF16 bits of {@code x}: the upper half of its float bits, rounded to nearest even. */
    public static short toBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        // Truncating a NaN whose payload sits in the low 16 bits would leave an infinity: set the quiet bit.
        if (Float.isNaN(x)) return (short) ((bits >>> 16) | 0x0040);
        // Adding 0x7FFF plus the bit that ends up lowest rounds half-way cases to the even neighbour; a carry
        // into the exponent is the correct rounding up (to the next binade, or from the largest finite to ∞).
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** {@code x} rounded to the nearest value {@code dtype} (F32, F16 or BF16) holds, as a float. */
    public static float round(float x, HostTensor.DType dtype) {
        return switch (dtype) {
            case F32 -> x;
            case F16 -> fromF16(toF16(x));
            case BF16 -> fromBf16(toBf16(x));
            default -> throw new IllegalArgumentException(dtype + " is not a float storage type (F32, F16 or BF16)");
        };
    }
}

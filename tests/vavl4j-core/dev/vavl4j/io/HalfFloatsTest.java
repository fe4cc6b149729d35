package dev.vavl4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exact bit patterns of float → F16 / BF16 (round to nearest, ties to even) and back. */
class HalfFloatsTest {
    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static void f16(int expected, float x) {
        assertEquals(expected, HalfFloats.toF16(x) & 0xFFFF,
                () -> "F16 of " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + "): 0x" + Integer.toHexString(HalfFloats.toF16(x) & 0xFFFF));
    }

    private static void bf16(int expected, float x) {
        assertEquals(expected, HalfFloats.toBf16(x) & 0xFFFF,
                () -> "BF16 of " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + "): 0x" + Integer.toHexString(HalfFloats.toBf16(x) & 0xFFFF));
    }

    @Test
    void float16NormalsZerosAndTies() {
        f16(0x3C00, 1f);
        f16(0xBC00, -1f);
        f16(0x0000, 0f);
        f16(0x8000, -0f);
        f16(0x4000, 2f);
        f16(0x3555, 1f / 3);             // 0x3555.5 rounds down
        f16(0x7BFF, 65504f);              // the largest finite
        f16(0x0400, 0x1p-14f);            // the smallest normal
        f16(0x3C00, 1f + 0x1p-11f);       // a tie: to the even 1.0
        f16(0x3C02, 1f + 3 * 0x1p-11f);   // a tie: to the even 1 + 2^-9
        f16(0x3C01, 1f + 0x1p-11f + 0x1p-20f);   // just above the tie: up
    }

    @Test
    void float16Subnormals() {
        f16(0x0001, 0x1p-24f);            // the smallest subnormal
        f16(0x03FF, 1023 * 0x1p-24f);     // the largest subnormal
        f16(0x0000, 0x1p-25f);            // half the smallest: a tie, to even 0
        f16(0x0001, 0x1p-25f + 0x1p-40f); // just above half: up to the smallest
        f16(0x0002, 3 * 0x1p-25f);        // 1.5 × the smallest: a tie, to even 2
        f16(0x8001, -0x1p-24f);
        f16(0x0000, Float.MIN_VALUE);     // far below: zero, keeping the sign
        f16(0x8000, -Float.MIN_VALUE);
        f16(0x0400, 1023.5f * 0x1p-24f);  // a tie between the largest subnormal and the smallest normal: to even
    }

    @Test
    void float16InfinitiesOverflowAndNaN() {
        f16(0x7C00, Float.POSITIVE_INFINITY);
        f16(0xFC00, Float.NEGATIVE_INFINITY);
        f16(0x7BFF, 65519.99f);           // below the half-way point: the largest finite
        f16(0x7C00, 65520f);              // half-way to 65536: rounds (to even) to infinity
        f16(0x7C00, 1e6f);
        f16(0xFC00, -1e6f);
        f16(0x7C00, Float.MAX_VALUE);
        f16(0x7E00, Float.NaN);           // the canonical quiet NaN
        int nan = HalfFloats.toF16(f(0x7F800001)) & 0xFFFF;   // a signalling NaN with only the lowest payload bit
        assertTrue((nan & 0x7C00) == 0x7C00 && (nan & 0x03FF) != 0, "still a NaN: 0x" + Integer.toHexString(nan));
        int negNan = HalfFloats.toF16(f(0xFFC00000)) & 0xFFFF;
        assertEquals(0xFE00, negNan);
    }

    @Test
    void float16WidensExactly() {
        assertEquals(1f, HalfFloats.fromF16((short) 0x3C00));
        assertEquals(65504f, HalfFloats.fromF16((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.fromF16((short) 0x0001));
        assertEquals(1023 * 0x1p-24f, HalfFloats.fromF16((short) 0x03FF));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.fromF16((short) 0x8000)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.fromF16((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.fromF16((short) 0xFC00));
        assertTrue(Float.isNaN(HalfFloats.fromF16((short) 0x7E00)));
        assertTrue(Float.isNaN(HalfFloats.fromF16((short) 0x7C01)));
        // every F16 value survives widening and narrowing again
        for (int b = 0; b < 0x10000; b++) {
            float x = HalfFloats.fromF16((short) b);
            if (!Float.isNaN(x)) assertEquals(b, HalfFloats.toF16(x) & 0xFFFF, "0x" + Integer.toHexString(b));
        }
    }

    @Test
    void bfloat16RoundsTheUpperHalfToNearestEven() {
        bf16(0x3F80, 1f);
        bf16(0xBF80, -1f);
        bf16(0x0000, 0f);
        bf16(0x8000, -0f);
        bf16(0x3EAB, 1f / 3);             // 0x3EAAAAAB: the dropped half 0xAAAB > 0x8000, up
        bf16(0x3F80, f(0x3F808000));      // a tie: to the even 0x3F80
        bf16(0x3F82, f(0x3F818000));      // a tie: to the even 0x3F82
        bf16(0x3F81, f(0x3F808001));      // just above the tie: up
        bf16(0x3F80, f(0x3F807FFF));      // just below: down
        bf16(0x4000, f(0x3FFFFFFF));      // rounding carries into the exponent
        bf16(0x7F7F, f(0x7F7F0000));      // the largest finite
    }

    @Test
    void bfloat16SubnormalsInfinitiesAndNaN() {
        bf16(0x0001, f(0x00010000));      // the smallest subnormal
        bf16(0x0000, f(0x00008000));      // half of it: a tie, to even 0
        bf16(0x0002, f(0x00018000));      // 1.5 × the smallest: a tie, to even 2
        bf16(0x0001, f(0x00008001));      // just above half: up
        bf16(0x0000, Float.MIN_VALUE);
        bf16(0x8000, -Float.MIN_VALUE);
        bf16(0x0080, f(0x007FFFFF));      // the largest float subnormal rounds up to the smallest normal
        bf16(0x7F80, Float.POSITIVE_INFINITY);
        bf16(0xFF80, Float.NEGATIVE_INFINITY);
        bf16(0x7F80, Float.MAX_VALUE);    // beyond the largest finite BF16 by more than half a step: infinity
        bf16(0xFF80, -Float.MAX_VALUE);
        bf16(0x7FC0, Float.NaN);
        bf16(0x7FC0, f(0x7F800001));      // a NaN whose payload is only in the dropped half stays a (quiet) NaN
        bf16(0xFFC1, f(0xFF810000));      // payload above the cut kept, quiet bit set
    }

    @Test
    void bfloat16WidensExactly() {
        assertEquals(1f, HalfFloats.fromBf16((short) 0x3F80));
        assertEquals(f(0x00010000), HalfFloats.fromBf16((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.fromBf16((short) 0x7F80));
        assertTrue(Float.isNaN(HalfFloats.fromBf16((short) 0x7FC0)));
        for (int b = 0; b < 0x10000; b++) {
            float x = HalfFloats.fromBf16((short) b);
            if (!Float.isNaN(x)) assertEquals(b, HalfFloats.toBf16(x) & 0xFFFF, "0x" + Integer.toHexString(b));
        }
    }

    @Test
    void roundIsNarrowingThenWidening() {
        assertEquals(65504f, HalfFloats.round(65519f, HostTensor.DType.F16));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.round(65520f, HostTensor.DType.F16));
        assertEquals(70144f, HalfFloats.round(70000f, HostTensor.DType.BF16));
        assertEquals(0.1f, HalfFloats.round(0.1f, HostTensor.DType.F32));
    }
}

package dev.vavl4j.io;

import java.util.Arrays;

/**
 * A tensor in host memory as read from or written to a file: a dtype, a shape and its values. Float
 * dtypes are held as float[] (F64 narrowed: the model stores float32; F16 and BF16 widened, exactly),
 * integer dtypes as int[]. {@link SafeTensors} writes F16 and BF16 tensors as such, other floats as F32.
 */
public record HostTensor(DType dtype, int[] shape, float[] floats, int[] ints) {

    public enum DType {
        F32(4), F64(8), F16(2), BF16(2), I32(4), I64(8), U8(1), BOOL(1);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public boolean isFloat() {
            return this == F32 || this == F64 || this == F16 || this == BF16;
        }
    }

    /**
     * Checks what every tensor must satisfy: a shape of dimensions ≥ 0 whose element count fits an int, and
     * exactly one value array, float[] for float dtypes and int[] for the others, with that many values.
     */
    public HostTensor {
        java.util.Objects.requireNonNull(dtype, "dtype");
        java.util.Objects.requireNonNull(shape, "shape");
        int n = elements(shape);
        if ((floats == null) == (ints == null)) throw new IllegalArgumentException("a tensor holds exactly one of floats and ints");
        if (dtype.isFloat() != (floats != null)) throw new IllegalArgumentException("a " + dtype + " tensor holds " + (floats != null ? "floats" : "ints"));
        int len = floats != null ? floats.length : ints.length;
        if (len != n) throw new IllegalArgumentException(len + " values for shape " + Arrays.toString(shape));
    }

    public static HostTensor ofFloats(float[] values, int... shape) {
        check(values.length, shape);
        return new HostTensor(DType.F32, shape.clone(), values, null);
    }

    public static HostTensor ofInts(int[] values, int... shape) {
        check(values.length, shape);
        return new HostTensor(DType.I32, shape.clone(), null, values);
    }

    public static HostTensor ofBytes(int[] values, int... shape) {
        check(values.length, shape);
        return new HostTensor(DType.U8, shape.clone(), null, values);
    }

    /**
     * This float tensor stored as {@code target} (F32, F16 or BF16): each value rounded to the nearest one
     * {@code target} holds (ties to even; beyond its range ±infinity). F32 keeps the values and their array.
     */
    public HostTensor roundedTo(DType target) {
        if (floats == null) throw new IllegalArgumentException("a " + dtype + " tensor has no float values to round to " + target);
        if (target == DType.F32) return dtype == DType.F32 ? this : new HostTensor(DType.F32, shape, floats, null);
        float[] v = new float[floats.length];
        for (int i = 0; i < v.length; i++) v[i] = HalfFloats.round(floats[i], target);
        return new HostTensor(target, shape, v, null);
    }

    public int size() {
        return elements(shape);
    }

    /** Values as floats (integer dtypes converted). */
    public float[] asFloats() {
        if (floats != null) return floats;
        float[] out = new float[ints.length];
        for (int i = 0; i < ints.length; i++) out[i] = ints[i];
        return out;
    }

    /** Values as ints; a float tensor must hold whole numbers. */
    public int[] asInts() {
        if (ints != null) return ints;
        int[] out = new int[floats.length];
        for (int i = 0; i < floats.length; i++) {
            if (floats[i] != Math.rint(floats[i])) throw new IllegalArgumentException("value " + floats[i] + " is not an integer");
            out[i] = (int) floats[i];
        }
        return out;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    public static int elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    private static void check(int len, int[] shape) {
        if (len != elements(shape)) {
            throw new IllegalArgumentException(len + " values for shape " + Arrays.toString(shape));
        }
    }
}

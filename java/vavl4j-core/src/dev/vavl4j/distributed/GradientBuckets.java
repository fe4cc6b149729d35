package dev.vavl4j.distributed;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups the parameters' gradients into buckets for a bucketed all-reduce, as PyTorch's
 * DistributedDataParallel does: the parameters are taken in <b>reverse</b> order (the order backward
 * finishes their gradients: the heads first, the input projections last), and consecutive ones fill a
 * bucket up to {@code capBytes}. A parameter larger than the cap gets a bucket of its own. Each bucket is
 * one contiguous flat buffer, so one {@code ncclAllReduce} reduces it; its all-reduce can start as soon as
 * the last of its gradients is ready, while backward goes on with the earlier layers.
 */
public final class GradientBuckets {
    private GradientBuckets() {}

    /** A parameter: its name and element count. */
    public record ParamSize(String name, long elements) {
        public ParamSize {
            if (elements < 1) throw new IllegalArgumentException(name + ": " + elements + " elements");
        }
    }

    /**
     * One bucket: the indices of its parameters in the original list (in reverse order), each one's offset in
     * the bucket's flat buffer (elements), and the buffer's size in elements.
     */
    public record Bucket(int[] params, long[] offsets, long elements) {}

    /**
     * The buckets over {@code params} (in their model order) with at most {@code capBytes} bytes each
     * ({@code bytesPerElement}: 4 for float32), except single oversize parameters. Every parameter is in
     * exactly one bucket; deterministic, so every rank builds the same buckets.
     */
    public static List<Bucket> plan(List<ParamSize> params, long capBytes, int bytesPerElement) {
        if (capBytes < 1 || bytesPerElement < 1) throw new IllegalArgumentException("cap " + capBytes + " bytes, " + bytesPerElement + " bytes per element");
        long capElements = Math.max(1, capBytes / bytesPerElement);
        List<Bucket> out = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long size = 0;
        for (int i = params.size() - 1; i >= 0; i--) {
            long n = params.get(i).elements();
            if (!ids.isEmpty() && size + n > capElements) {
                out.add(bucket(ids, offsets, size));
                ids.clear();
                offsets.clear();
                size = 0;
            }
            ids.add(i);
            offsets.add(size);
            size += n;
        }
        if (!ids.isEmpty()) out.add(bucket(ids, offsets, size));
        return List.copyOf(out);
    }

    private static Bucket bucket(List<Integer> ids, List<Long> offsets, long size) {
        return new Bucket(ids.stream().mapToInt(Integer::intValue).toArray(), offsets.stream().mapToLong(Long::longValue).toArray(), size);
    }
}

package dev.vavl4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.distributed.GradientBuckets.Bucket;
import dev.vavl4j.distributed.GradientBuckets.ParamSize;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientBucketsTest {
    @Test
    void everyParameterOnceInReverseOrderWithinTheCap() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            List<ParamSize> params = new ArrayList<>();
            int count = 1 + rnd.nextInt(60);
            for (int i = 0; i < count; i++) params.add(new ParamSize("p" + i, 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 5000)));
            long cap = 4L * (1 + rnd.nextInt(3000));
            List<Bucket> buckets = GradientBuckets.plan(params, cap, 4);
            int expectNext = count - 1;
            for (Bucket b : buckets) {
                long size = 0;
                for (int k = 0; k < b.params().length; k++) {
                    assertEquals(expectNext--, b.params()[k], "reverse order, each parameter once");
                    assertEquals(size, b.offsets()[k], "packed offsets");
                    size += params.get(b.params()[k]).elements();
                }
                assertEquals(size, b.elements());
                assertTrue(4 * size <= cap || b.params().length == 1, "within the cap unless one oversize parameter: " + size + " > " + cap / 4);
            }
            assertEquals(-1, expectNext, "every parameter covered");
        }
    }

    @Test
    void smallExample() {
        List<ParamSize> p = List.of(new ParamSize("a", 3), new ParamSize("b", 10), new ParamSize("c", 2), new ParamSize("d", 2));
        List<Bucket> b = GradientBuckets.plan(p, 16, 4);   // 4 elements per bucket
        assertEquals(3, b.size());
        assertArrayEquals(new int[] {3, 2}, b.get(0).params());
        assertArrayEquals(new int[] {1}, b.get(1).params());   // oversize: alone
        assertArrayEquals(new int[] {0}, b.get(2).params());
    }
}

package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaceTrackerTest {
    private static final FaceBox LEFT = new FaceBox(10, 10, 100, 100, 0.6);
    private static final FaceBox RIGHT = new FaceBox(300, 20, 80, 120, 0.9);

    @Test
    void firstTheHighestScoreThenTheOneOverlappingTheLastFace() {
        FaceTracker t = new FaceTracker(0, 0);
        assertSame(RIGHT, t.choose(List.of(LEFT, RIGHT)));
        t.update(List.of(LEFT)); // the face is on the left now
        FaceBox leftMoved = new FaceBox(20, 15, 100, 100, 0.55);
        assertSame(leftMoved, t.choose(List.of(RIGHT, leftMoved)), "a better-scoring second face does not take over");
        FaceBox elsewhere = new FaceBox(200, 200, 50, 50, 0.7);
        assertSame(RIGHT, t.choose(List.of(elsewhere, RIGHT)), "no overlap at all: highest score");
        assertNull(t.choose(List.of()));
    }

    @Test
    void squareIsTheDetectionsLongSideWithTheMargin() {
        FaceTracker t = new FaceTracker(0.2, 0);
        assertNull(t.update(List.of()), "no square before the first face");
        FaceTracker.Square s = t.update(List.of(RIGHT));
        assertEquals(340, s.cx(), 1e-12);
        assertEquals(80, s.cy(), 1e-12);
        assertEquals(144, s.side(), 1e-12);
        assertEquals(268, s.left());
        assertEquals(8, s.top());
        assertEquals(144, s.size());
    }

    @Test
    void smoothingIsAMovingAverageAndFramesWithoutAFaceKeepTheSquare() {
        FaceTracker t = new FaceTracker(0, 0.75);
        FaceTracker.Square first = t.update(List.of(new FaceBox(0, 0, 100, 100, 0.9)));
        assertEquals(new FaceTracker.Square(50, 50, 100), first, "the first square is the first detection's");
        assertSame(first, t.update(List.of()), "no detection: the square is kept");
        FaceTracker.Square next = t.update(List.of(new FaceBox(40, 0, 100, 100, 0.9)));
        assertEquals(50 + 0.25 * 40, next.cx(), 1e-12);
        assertEquals(50, next.cy(), 1e-12);
        assertEquals(100, next.side(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new FaceTracker(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaceTracker(-0.1, 0));
    }
}

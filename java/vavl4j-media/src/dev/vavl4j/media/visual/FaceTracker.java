package dev.vavl4j.media.visual;

import java.util.List;

/**
 * Follows one face through a clip's frames, in order, and says which square to crop from each. Not
 * thread-safe: one per clip.
 * <ul>
 *   <li><b>Which face.</b> Before any face is known: the detection with the highest score. After: the one
 *       overlapping the last chosen detection most (IoU), so a second face, even a higher-scoring one, does
 *       not take over; equal overlaps go to the higher score; when none overlaps at all the face is taken
 *       to have moved and the highest score wins again.</li>
 *   <li><b>Square.</b> Centred on the detection, side = max(width, height) · (1 + margin).</li>
 *   <li><b>Smoothing.</b> Centre and side follow an exponential moving average:
 *       {@code s ← s + (1 − smoothing) · (target − s)}; 0 turns it off. The first square is the first
 *       detection's.</li>
 *   <li><b>Frames without a detection</b> keep the current square unchanged.</li>
 * </ul>
 */
public final class FaceTracker {
    /** A crop square in frame pixels, centre and side; may reach past the frame's edges. */
    public record Square(double cx, double cy, double side) {
        /** The whole-pixel square that is cropped: left = round(cx − side/2). */
        public int left() {
            return (int) Math.round(cx - side / 2);
        }

        public int top() {
            return (int) Math.round(cy - side / 2);
        }

        /** round(side), at least 1. */
        public int size() {
            return (int) Math.max(1, Math.round(side));
        }
    }

    private final double margin;
    private final double smoothing;
    private FaceBox last;
    private Square square;

    /**
     * @param margin    how much larger than the detection's long side the square is (0.2: 20%, 10% each side)
     * @param smoothing weight of the previous square in the moving average, in [0, 1)
     */
    public FaceTracker(double margin, double smoothing) {
        if (!(margin >= 0 && margin <= 4)) throw new IllegalArgumentException("margin must be in [0, 4], got " + margin);
        if (!(smoothing >= 0 && smoothing < 1)) throw new IllegalArgumentException("smoothing must be in [0, 1), got " + smoothing);
        this.margin = margin;
        this.smoothing = smoothing;
    }

    /** The detection taken as the tracked face (see the class comment), or null when there is none. */
    public FaceBox choose(List<FaceBox> detections) {
        FaceBox best = null;
        double bestIou = 0;
        if (last != null) {
            for (FaceBox d : detections) {
                double iou = d.iou(last);
                if (iou > bestIou || (iou == bestIou && best != null && d.score() > best.score())) {
                    best = d;
                    bestIou = iou;
                }
            }
        }
        if (best == null) {
            for (FaceBox d : detections) if (best == null || d.score() > best.score()) best = d;
        }
        return best;
    }

    /** Takes one frame's detections; returns the square for that frame, null while no face has been seen yet. */
    public Square update(List<FaceBox> detections) {
        FaceBox d = choose(detections);
        if (d != null) {
            last = d;
            Square target = new Square(d.x() + d.width() / 2, d.y() + d.height() / 2, Math.max(d.width(), d.height()) * (1 + margin));
            square = square == null ? target : new Square(
                    ema(square.cx(), target.cx()), ema(square.cy(), target.cy()), ema(square.side(), target.side()));
        }
        return square;
    }

    /** The current square, null before the first detection. */
    public Square current() {
        return square;
    }

    private double ema(double previous, double target) {
        return previous + (1 - smoothing) * (target - previous);
    }
}

package dev.vavl4j.media.visual;

/**
 * A detected face: its box in frame pixels (x right, y down, origin at the top-left corner of the frame; it
 * may reach past the frame's edges) and the detector's score (sigmoid of the objectness logit, 0..1).
 */
public record FaceBox(double x, double y, double width, double height, double score) {
    public double right() {
        return x + width;
    }

    public double bottom() {
        return y + height;
    }

    public double area() {
        return width * height;
    }

    /** Intersection over union, as face-api's {@code iou(box1, box2, true)}. */
    public double iou(FaceBox o) {
        double w = Math.max(0.0, Math.min(right(), o.right()) - Math.max(x, o.x));
        double h = Math.max(0.0, Math.min(bottom(), o.bottom()) - Math.max(y, o.y));
        double inter = w * h;
        return inter / (area() + o.area() - inter);
    }
}

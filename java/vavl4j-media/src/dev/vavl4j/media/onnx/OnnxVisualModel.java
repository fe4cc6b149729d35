package dev.vavl4j.media.onnx;

import dev.vavl4j.media.FrontEndInfo;
import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.RgbFrame;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --visual onnx:FILE}: a user's ONNX model that embeds face crops, run by ONNX Runtime on the CPU.
 * The face tracker and cropping are not here: the visual pipeline crops each frame to
 * {@link #inputWidth()} × {@link #inputHeight()} and calls {@link #embed}.
 *
 * <p>The contract ({@code visual-v1}) a model must meet:
 * <ul>
 * <li>exactly one input {@code float32[N, 3, H, W]} (any name; N dynamic or fixed, H and W fixed, e.g. 260
 *     for EfficientNet-B2): RGB crops, channel c of pixel (x, y) = {@code (v / 255 - MEAN[c]) / STD[c]} with
 *     v the 8-bit value and the ImageNet {@link #MEAN} = (0.485, 0.456, 0.406), {@link #STD} = (0.229, 0.224,
 *     0.225), computed in float32;</li>
 * <li>its first output {@code float32[N, dim]}, dim fixed: one embedding per crop.</li>
 * </ul>
 * A model with a fixed N is run N crops at a time (the last batch padded with zeros, whose rows are
 * dropped). {@link #info()} holds the model's SHA-256, input and output names and shapes, the normalisation
 * and dim. Safe to use from several threads at once.
 */
public final class OnnxVisualModel implements AutoCloseable {
    public static final String CONTRACT = "visual-v1";
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final String file;
    private final OrtModel model;
    private final int batch; // the model's fixed N, or 0 when dynamic
    private final int width;
    private final int height;
    private final int dim;
    private final FrontEndInfo info;

    private OnnxVisualModel(String file, OrtModel model, int batch, int width, int height, int dim, FrontEndInfo info) {
        this.file = file;
        this.model = model;
        this.batch = batch;
        this.width = width;
        this.height = height;
        this.dim = dim;
        this.info = info;
    }

    /**
     * Loads and checks a model.
     *
     * @throws dev.vavl4j.media.MediaUnavailableException ONNX Runtime is not on the class path
     * @throws MediaFormatException                       the file is missing, not ONNX, or breaks the contract (one line naming it)
     */
    public static OnnxVisualModel open(Path modelFile) {
        OnnxRuntimeCheck.require(modelFile);
        String sha = OnnxRuntimeCheck.sha256(modelFile);
        String file = modelFile.toString();
        OrtModel m = OrtModel.open(modelFile);
        try {
            OrtModel.Port in = Contracts.singleFloatInput(file, m, "the visual contract needs float32[N, 3, H, W]");
            long[] s = in.shape();
            if (s.length != 4 || s[1] != 3 || s[2] <= 0 || s[3] <= 0 || s[0] == 0) {
                throw new MediaFormatException(file + ": input '" + in.name() + "' has shape " + in.shapeText()
                        + " — the visual contract needs float32[N, 3, H, W] with H and W fixed");
            }
            OrtModel.Port out = Contracts.firstFloatOutput(file, m, "float32[N, dim]");
            long[] o = out.shape();
            if (o.length != 2 || o[1] <= 0) {
                throw new MediaFormatException(file + ": output '" + out.name() + "' has shape " + out.shapeText()
                        + " — the visual contract needs float32[N, dim] with dim fixed");
            }
            Map<String, String> st = new LinkedHashMap<>();
            st.put("contract", CONTRACT);
            st.put("model_sha256", sha);
            st.put("input_name", in.name());
            st.put("input_shape", in.shapeText());
            st.put("output_name", out.name());
            st.put("output_shape", out.shapeText());
            st.put("normalisation", "(v/255 - mean)/std, mean 0.485,0.456,0.406, std 0.229,0.224,0.225");
            st.put("dim", Long.toString(o[1]));
            OnnxVisualModel v = new OnnxVisualModel(file, m, s[0] > 0 ? Math.toIntExact(s[0]) : 0, Math.toIntExact(s[3]),
                    Math.toIntExact(s[2]), Math.toIntExact(o[1]), new FrontEndInfo("onnx", st));
            m = null;
            return v;
        } finally {
            if (m != null) m.close();
        }
    }

    /** W of the input: the crop width {@link #embed} needs. */
    public int inputWidth() {
        return width;
    }

    /** H of the input: the crop height {@link #embed} needs. */
    public int inputHeight() {
        return height;
    }

    public int outputDim() {
        return dim;
    }

    /** The model's identity and the contract's settings (the pipeline adds its crop settings). */
    public FrontEndInfo info() {
        return info;
    }

    /**
     * One embedding per crop, in order.
     *
     * @throws IllegalArgumentException a crop is not {@link #inputWidth()} × {@link #inputHeight()}
     */
    public float[][] embed(List<RgbFrame> crops) {
        float[][] out = new float[crops.size()][];
        int step = batch > 0 ? batch : Math.max(1, crops.size());
        for (int from = 0; from < crops.size(); from += step) {
            int n = Math.min(step, crops.size() - from);
            int rows = batch > 0 ? batch : n;
            float[] x = new float[rows * 3 * height * width];
            for (int i = 0; i < n; i++) toChw(crops.get(from + i), x, i * 3 * height * width);
            OrtModel.Output o = model.run(x, new long[] {rows, 3, height, width});
            if (o.shape().length != 2 || o.shape()[0] != rows || o.shape()[1] != dim) {
                throw new MediaFormatException(file + ": the model returned shape " + java.util.Arrays.toString(o.shape())
                        + " for " + rows + " crops — the visual contract needs [" + rows + ", " + dim + "]");
            }
            for (int i = 0; i < n; i++) out[from + i] = java.util.Arrays.copyOfRange(o.values(), i * dim, (i + 1) * dim);
        }
        return out;
    }

    /** The contract's normalisation of one crop into x[offset ...] as CHW. */
    void toChw(RgbFrame crop, float[] x, int offset) {
        if (crop.width() != width || crop.height() != height) {
            throw new IllegalArgumentException("crop is " + crop.width() + "x" + crop.height() + ", the model needs " + width + "x" + height);
        }
        byte[] rgb = crop.rgb();
        int plane = width * height;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) x[offset + c * plane + p] = ((rgb[p * 3 + c] & 0xff) / 255f - MEAN[c]) / STD[c];
        }
    }

    @Override
    public void close() {
        model.close();
    }
}

package dev.vavl4j.media.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.vavl4j.media.MediaFormatException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX Runtime CPU session and what its graph declares. The only class in this package that refers to
 * ONNX Runtime; it is loaded only after {@link OnnxRuntimeCheck} found ONNX Runtime, so the rest of the
 * package loads without it. {@link #run} is safe from several threads at once (ONNX Runtime's sessions are).
 */
final class OrtModel implements AutoCloseable {
    /** One declared input or output: its element type ({@code float32}, {@code int64}, ...) and shape (-1: dynamic). */
    record Port(String name, String type, long[] shape, String[] dimNames) {
        boolean isFloat() {
            return type.equals("float32");
        }

        /** {@code float32[1, samples]}: fixed sizes as numbers, dynamic ones by their symbolic name or {@code ?}. */
        String describe() {
            return type + shapeText();
        }

        String shapeText() {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) b.append(", ");
                if (shape[i] >= 0) b.append(shape[i]);
                else b.append(dimNames != null && i < dimNames.length && !dimNames[i].isEmpty() ? dimNames[i] : "?");
            }
            return b.append(']').toString();
        }
    }

    /** A run's first output: row-major values and the actual shape. */
    record Output(float[] values, long[] shape) {}

    private final String file;
    private final OrtEnvironment env;
    private final OrtSession session;
    final List<Port> inputs;
    final List<Port> outputs;

    private OrtModel(String file, OrtEnvironment env, OrtSession session, List<Port> inputs, List<Port> outputs) {
        this.file = file;
        this.env = env;
        this.session = session;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    static OrtModel open(Path path) {
        String file = path.toString();
        OrtEnvironment env = OrtEnvironment.getEnvironment(); // shared, never closed: it is the process's one environment
        OrtSession session = null;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL); // failures surface as exceptions; print nothing
            session = env.createSession(file, opts);
            OrtModel m = new OrtModel(file, env, session, ports(session.getInputInfo()), ports(session.getOutputInfo()));
            session = null;
            return m;
        } catch (OrtException e) {
            throw new MediaFormatException(file + ": ONNX Runtime cannot load the model (" + oneLine(e.getMessage()) + ")", e);
        } finally {
            if (session != null) closeQuietly(session);
        }
    }

    /**
     * Runs the model on one float input and returns its first output, which must be float.
     *
     * @throws Contracts.RunFailure when ONNX Runtime fails on this input
     */
    Output run(float[] data, long[] shape) {
        String in = inputs.get(0).name();
        String out = outputs.get(0).name();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                OrtSession.Result r = session.run(Map.of(in, t), Set.of(out))) {
            OnnxValue v = r.get(0);
            if (!(v instanceof OnnxTensor ot) || !(ot.getInfo() instanceof TensorInfo info) || !typeName(info).equals("float32")) {
                throw new MediaFormatException(file + ": output '" + out + "' is not a float32 tensor");
            }
            FloatBuffer fb = ot.getFloatBuffer();
            float[] values = new float[fb.remaining()];
            fb.get(values);
            return new Output(values, info.getShape());
        } catch (OrtException e) {
            throw new Contracts.RunFailure(file + ": the model failed on input " + java.util.Arrays.toString(shape) + " ("
                    + oneLine(e.getMessage()) + ")", e);
        }
    }

    private static List<Port> ports(Map<String, NodeInfo> infos) {
        List<Port> ports = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            ValueInfo vi = n.getInfo();
            if (vi instanceof TensorInfo t) ports.add(new Port(n.getName(), typeName(t), t.getShape(), t.getDimensionNames()));
            else ports.add(new Port(n.getName(), "non-tensor", new long[0], new String[0]));
        }
        return List.copyOf(ports);
    }

    private static String typeName(TensorInfo t) {
        return switch (t.type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> t.type.name().toLowerCase(Locale.ROOT);
        };
    }

    static String oneLine(String s) {
        return s == null ? "no message" : s.strip().replaceAll("\\s+", " ");
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // closing a session that failed validation: nothing more to do
        }
    }

    @Override
    public void close() {
        closeQuietly(session);
    }
}

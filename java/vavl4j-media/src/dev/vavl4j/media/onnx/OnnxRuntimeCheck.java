package dev.vavl4j.media.onnx;

import dev.vavl4j.media.MediaUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What the ONNX front ends check before touching ONNX Runtime, and the model file's hash. No ONNX Runtime class here. */
final class OnnxRuntimeCheck {
    static final String ARTIFACT = "com.microsoft.onnxruntime:onnxruntime:1.29.0";

    /** Null when ONNX Runtime is usable, else why not; checked once per class loader. */
    private static final class Holder {
        static final String PROBLEM = check();

        private static String check() {
            ClassLoader loader = OnnxRuntimeCheck.class.getClassLoader();
            try {
                Class.forName("ai.onnxruntime.OrtEnvironment", false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return "";
            }
            try {
                Class.forName("ai.onnxruntime.OrtEnvironment", true, loader); // its static initialiser loads the natives
                return null;
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                return ", whose native library does not load here (" + String.valueOf(c).replaceAll("\\s+", " ") + ")";
            }
        }
    }

    private OnnxRuntimeCheck() {}

    static boolean available() {
        return Holder.PROBLEM == null;
    }

    /** @throws MediaUnavailableException naming the artifact when ONNX Runtime is not usable */
    static void require(Path model) {
        String problem = Holder.PROBLEM;
        if (problem != null) {
            throw new MediaUnavailableException(model + ": onnx:FILE front ends need ONNX Runtime" + problem + ": add " + ARTIFACT
                    + " to the class path");
        }
    }

    /** The model file's SHA-256 in lower-case hex (also proves it is readable before ONNX Runtime sees it). */
    static String sha256(Path model) {
        try (InputStream in = Files.newInputStream(model)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchFileException e) {
            throw new dev.vavl4j.media.MediaFormatException(model + ": no such model file");
        } catch (IOException e) {
            throw new dev.vavl4j.media.MediaFormatException(model + ": cannot read the model (" + e + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}

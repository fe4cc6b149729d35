package dev.vavl4j.media.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vavl4j.media.decode.HidingClassLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The onnx front ends on a class path without ONNX Runtime: a one-line MediaUnavailableException naming the artifact. */
class OnnxAbsentTest {
    @Test
    void withoutOnnxRuntimeOpeningSaysWhatToAdd() throws Exception {
        Path audio = OnnxAudioFrontEndTest.MODEL, visual = OnnxAudioFrontEndTest.DIR.resolve("visual_tiny.onnx");
        try (HidingClassLoader loader = new HidingClassLoader(List.of("ai.onnxruntime"), HidingClassLoader.fullPath())) {
            for (String cls : List.of(OnnxAudioFrontEnd.class.getName(), OnnxVisualModel.class.getName())) {
                Path model = cls.endsWith("AudioFrontEnd") ? audio : visual;
                Method open = Class.forName(cls, true, loader).getMethod("open", Path.class);
                InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> open.invoke(null, model));
                assertEquals("dev.vavl4j.media.MediaUnavailableException", e.getCause().getClass().getName());
                assertEquals(model + ": onnx:FILE front ends need ONNX Runtime: add com.microsoft.onnxruntime:onnxruntime:1.29.0"
                        + " to the class path", e.getCause().getMessage());
            }
        }
    }
}

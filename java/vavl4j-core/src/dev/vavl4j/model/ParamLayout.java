package dev.vavl4j.model;

import dev.vavl4j.layers.ParamSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names and shapes of every parameter and buffer (spec §8), in a fixed order: a view of what the layers
 * declare ({@link VavlModel#declare}), nothing listed twice.
 */
public final class ParamLayout {
    private ParamLayout() {}

    public static Map<String, int[]> parameters(VavlConfig c) {
        return shapes(VavlModel.declare(c).params());
    }

    public static Map<String, int[]> buffers(VavlConfig c) {
        return shapes(VavlModel.declare(c).buffers());
    }

    private static Map<String, int[]> shapes(List<ParamSpec> specs) {
        Map<String, int[]> s = new LinkedHashMap<>();
        for (ParamSpec p : specs) s.put(p.name(), p.shape());
        return s;
    }
}

package dev.vavl4j.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names and shapes of every parameter and buffer (spec §8), in a fixed order. */
public final class ParamLayout {
    private ParamLayout() {}

    public static Map<String, int[]> parameters(VavlConfig c) {
        Map<String, int[]> s = new LinkedHashMap<>();
        int d = c.modelDim();
        for (String m : new String[] {"audio", "visual"}) {
            int D = m.equals("audio") ? c.audioDim() : c.visualDim();
            s.put(m + ".proj.weight", new int[] {c.projDim(), D});
            linear(s, m + ".conformer.input", c.projDim(), d);
            for (int i = 0; i < c.modalityLayers(); i++) block(s, m + ".conformer.blocks." + i, c);
        }
        linear(s, "shared.conformer.input", d, d);
        for (int i = 0; i < c.sharedLayers(); i++) block(s, "shared.conformer.blocks." + i, c);
        vector(s, "shared.norm", d);
        mlp(s, "head.audio", d, c.outputs(), c);
        mlp(s, "head.visual", d, c.outputs(), c);
        mlp(s, "head.fusion", 2 * d, c.outputs(), c);
        mlp(s, "recon.audio", d, c.audioDim(), c);
        mlp(s, "recon.visual", d, c.visualDim(), c);
        return s;
    }

    public static Map<String, int[]> buffers(VavlConfig c) {
        Map<String, int[]> s = new LinkedHashMap<>();
        for (String prefix : blockPrefixes(c)) {
            s.put(prefix + ".conv.bn.running_mean", new int[] {c.modelDim()});
            s.put(prefix + ".conv.bn.running_var", new int[] {c.modelDim()});
        }
        return s;
    }

    static String[] blockPrefixes(VavlConfig c) {
        int n = 2 * c.modalityLayers() + c.sharedLayers(), k = 0;
        String[] out = new String[n];
        for (String m : new String[] {"audio", "visual"}) {
            for (int i = 0; i < c.modalityLayers(); i++) out[k++] = m + ".conformer.blocks." + i;
        }
        for (int i = 0; i < c.sharedLayers(); i++) out[k++] = "shared.conformer.blocks." + i;
        return out;
    }

    private static void block(Map<String, int[]> s, String p, VavlConfig c) {
        int d = c.modelDim(), e = c.ffExpansion() * d;
        for (String ff : new String[] {"ff1", "ff2"}) {
            vector(s, p + "." + ff + ".norm", d);
            linear(s, p + "." + ff + ".linear1", d, e);
            linear(s, p + "." + ff + ".linear2", e, d);
        }
        vector(s, p + ".attn.norm", d);
        for (String n : new String[] {"q", "k", "v", "out"}) linear(s, p + ".attn." + n, d, d);
        s.put(p + ".attn.pos.weight", new int[] {d, d});
        s.put(p + ".attn.u_bias", new int[] {c.heads(), c.headDim()});
        s.put(p + ".attn.v_bias", new int[] {c.heads(), c.headDim()});
        vector(s, p + ".conv.norm", d);
        linear(s, p + ".conv.pointwise1", d, 2 * d);
        s.put(p + ".conv.depthwise.weight", new int[] {d, c.convKernel()});
        vector(s, p + ".conv.bn", d);
        linear(s, p + ".conv.pointwise2", d, d);
        vector(s, p + ".norm", d);
    }

    private static void mlp(Map<String, int[]> s, String p, int in, int out, VavlConfig c) {
        linear(s, p + ".fc1", in, c.headHidden1());
        linear(s, p + ".fc2", c.headHidden1(), c.headHidden2());
        linear(s, p + ".out", c.headHidden2(), out);
    }

    private static void linear(Map<String, int[]> s, String p, int in, int out) {
        s.put(p + ".weight", new int[] {out, in});
        s.put(p + ".bias", new int[] {out});
    }

    private static void vector(Map<String, int[]> s, String p, int d) {
        s.put(p + ".weight", new int[] {d});
        s.put(p + ".bias", new int[] {d});
    }
}

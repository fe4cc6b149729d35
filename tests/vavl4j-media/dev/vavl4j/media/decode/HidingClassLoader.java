package dev.vavl4j.media.decode;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A class path without some optional dependency: the code sources of the given classes (the module's
 * classes, core's jar, the FFmpeg and ONNX Runtime jars), with every class and resource under the hidden
 * package prefixes refused, so the module's code sees the dependency as absent. Its parent is the platform
 * loader, so nothing leaks in from the test class path. Loads this module's classes afresh: their static
 * checks run again in here.
 */
public final class HidingClassLoader extends URLClassLoader {
    private final List<String> hidden;

    public HidingClassLoader(List<String> hiddenPackages, List<String> classesOnPath) throws ClassNotFoundException {
        super(urls(classesOnPath), ClassLoader.getPlatformClassLoader());
        this.hidden = List.copyOf(hiddenPackages);
    }

    private static URL[] urls(List<String> classes) throws ClassNotFoundException {
        Set<URL> urls = new LinkedHashSet<>();
        ClassLoader here = HidingClassLoader.class.getClassLoader();
        for (String c : classes) urls.add(Class.forName(c, false, here).getProtectionDomain().getCodeSource().getLocation());
        return urls.toArray(URL[]::new);
    }

    private boolean isHidden(String name) {
        String dotted = name.replace('/', '.');
        for (String p : hidden) if (dotted.startsWith(p + ".")) return true;
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isHidden(name)) throw new ClassNotFoundException(name + " (hidden by the test)");
        return super.loadClass(name, resolve);
    }

    @Override
    public URL findResource(String name) {
        return isHidden(name) ? null : super.findResource(name);
    }

    @Override
    public Enumeration<URL> findResources(String name) throws java.io.IOException {
        if (isHidden(name)) return java.util.Collections.emptyEnumeration();
        return super.findResources(name);
    }

    /** The module's classes, core and every optional dependency, for {@link #HidingClassLoader}. */
    public static List<String> fullPath() {
        List<String> c = new ArrayList<>();
        c.add("dev.vavl4j.media.decode.MediaReaders");
        c.add("dev.vavl4j.VavlException");
        c.add("org.bytedeco.ffmpeg.global.avformat");
        c.add("ai.onnxruntime.OrtEnvironment");
        return c;
    }
}

package dev.vavl4j.backend.cpu;

import dev.vavl4j.DeviceException;

/**
 * The JVM options the CPU backend cannot run without, checked when a backend opens so that a missing flag
 * is one message naming it, not a {@link NoClassDefFoundError} deep inside the first op.
 */
public final class JvmRequirements {
    /** The JVM option that makes the incubating Vector API visible. */
    public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

    private JvmRequirements() {}

    /** True when {@code jdk.incubator.vector} is in the boot layer (the flag was given, or a module requires it). */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Throws a {@link DeviceException} naming the flag when the Vector API module is missing. */
    public static void checkVectorModule() {
        if (!vectorModulePresent()) {
            throw new DeviceException("the JVM was started without " + VECTOR_FLAG + ", which vavl4j's CPU backend "
                    + "needs: add it to the java command line (for Maven tests, to surefire's argLine; for mvn exec:java, "
                    + "to MAVEN_OPTS)");
        }
    }
}

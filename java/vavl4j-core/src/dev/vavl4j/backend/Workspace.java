package dev.vavl4j.backend;

/**
 * A scope of tensor lifetimes on one thread (see {@link Backend#openWorkspace()}). Closing releases
 * every tensor created in it; workspaces nest, and must be closed innermost first.
 */
public interface Workspace extends AutoCloseable {
    @Override
    void close();
}

package dev.vavl4j.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-thread stack of open workspaces that every backend keeps the same way: which workspace owns
 * a new tensor, and handing a closed workspace's tensors to the backend to release. Each thread has
 * its own stack, so concurrent inference on one backend keeps its workspaces apart.
 *
 * @param <T> the backend's tensor type
 */
public final class WorkspaceTracker<T> {
    private final ThreadLocal<ArrayDeque<Scope>> open = ThreadLocal.withInitial(ArrayDeque::new);
    private final Consumer<List<T>> release;

    /** {@code release} receives the tensors of a closing workspace, in creation order. */
    public WorkspaceTracker(Consumer<List<T>> release) {
        this.release = release;
    }

    public Workspace open() {
        Scope s = new Scope(open.get());
        s.stack.push(s);
        return s;
    }

    /** Records t in this thread's innermost open workspace; false when none is open (t is persistent). */
    public boolean adopt(T t) {
        Scope s = open.get().peek();
        if (s == null) return false;
        s.tensors.add(t);
        return true;
    }

    /** Number of workspaces open on the calling thread. */
    public int depth() {
        return open.get().size();
    }

    private final class Scope implements Workspace {
        final ArrayDeque<Scope> stack;
        final Thread owner = Thread.currentThread();
        final List<T> tensors = new ArrayList<>();
        private boolean closed;

        Scope(ArrayDeque<Scope> stack) {
            this.stack = stack;
        }

        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("workspace closed on a thread other than the one that opened it");
            }
            if (stack.peek() != this) throw new IllegalStateException("workspace closed before a workspace opened inside it");
            closed = true;
            stack.pop();
            release.accept(tensors);
        }
    }
}

package dev.vavl4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Workspace lifetimes. The CPU backend enforces them as strictly as device memory would (a released
 * tensor throws), so the whole test suite checks that no tensor escapes the step that made it.
 */
class WorkspaceTest {
    private final Backend be = new CpuBackend();

    @Test
    void tensorsOfAClosedWorkspaceCannotBeUsed() {
        Tensor inside;
        try (Workspace ws = be.openWorkspace()) {
            inside = be.fromHost(new float[] {1, 2}, 2);
            assertArrayEquals(new float[] {1, 2}, be.toHost(inside));
        }
        var e = assertThrows(IllegalStateException.class, () -> be.toHost(inside));
        assertTrue(e.getMessage().contains("workspace closed"), e.getMessage());
    }

    @Test
    void persistentTensorsAndTensorsMadeOutsideOutliveWorkspaces() {
        Tensor outside = be.zeros(3);
        Tensor persistent;
        try (Workspace ws = be.openWorkspace()) {
            persistent = be.zerosPersistent(3);
            be.fill(persistent, 2f);
        }
        assertArrayEquals(new float[] {2, 2, 2}, be.toHost(persistent));
        assertArrayEquals(new float[3], be.toHost(outside));
    }

    @Test
    void nestedWorkspacesReleaseOnlyTheirOwnTensors() {
        try (Workspace outer = be.openWorkspace()) {
            Tensor a = be.zeros(1);
            Tensor b;
            try (Workspace inner = be.openWorkspace()) {
                b = be.zeros(1);
            }
            assertThrows(IllegalStateException.class, () -> be.toHost(b));
            assertEquals(1, be.toHost(a).length);
        }
    }

    @Test
    void closingOutOfOrderIsAnError() {
        Workspace outer = be.openWorkspace();
        Workspace inner = be.openWorkspace();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
        outer.close(); // idempotent
    }

    @Test
    void eachThreadHasItsOwnWorkspaces() throws Exception {
        List<String> order = new ArrayList<>();
        WorkspaceTracker<String> t = new WorkspaceTracker<>(order::addAll);
        try (Workspace mine = t.open()) {
            t.adopt("main");
            boolean adoptedElsewhere = CompletableFuture.supplyAsync(() -> t.adopt("other")).get();
            assertEquals(false, adoptedElsewhere, "another thread has no workspace open");
            assertThrows(Exception.class, () -> CompletableFuture.runAsync(mine::close).get());
        }
        assertEquals(List.of("main"), order);
    }
}

package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.SeqMask;

record CpuMask(int[] lengths, int time) implements SeqMask {
    @Override
    public int batch() {
        return lengths.length;
    }

    @Override
    public int length(int b) {
        return lengths[b];
    }
}

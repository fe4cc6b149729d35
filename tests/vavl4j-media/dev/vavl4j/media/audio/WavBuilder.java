package dev.vavl4j.media.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files byte by byte for the reader tests, including the malformed ones. */
final class WavBuilder {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private String riff = "RIFF", form = "WAVE";

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    WavBuilder header(String riff, String form) {
        this.riff = riff;
        this.form = form;
        return this;
    }

    /** A plain 16-byte fmt chunk; blockAlign ≤ 0 means channels × bits/8. */
    WavBuilder fmt(int tag, int channels, int rate, int bits, int blockAlign) {
        int align = blockAlign > 0 ? blockAlign : channels * bits / 8;
        ByteBuffer b = le(16).putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * align)
                .putShort((short) align).putShort((short) bits);
        return chunk("fmt ", b.array());
    }

    /** WAVE_FORMAT_EXTENSIBLE with the sub-format GUID {tag}-0000-0010-8000-00AA00389B71 (or a foreign tail). */
    WavBuilder fmtExtensible(int subTag, int channels, int rate, int bits, int validBits, boolean ksGuid) {
        int align = channels * bits / 8;
        ByteBuffer b = le(40).putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * align)
                .putShort((short) align).putShort((short) bits).putShort((short) 22).putShort((short) validBits).putInt(0x3F)
                .putShort((short) subTag);
        byte[] tail = ksGuid ? new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71}
                : new byte[] {0x12, 0x34, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71};
        b.put(tail);
        return chunk("fmt ", b.array());
    }

    /** A chunk with its true size, padded to even. */
    WavBuilder chunk(String id, byte[] data) {
        return chunk(id, data.length, data);
    }

    /** A chunk whose size field says {@code declared} (0xFFFFFFFF as -1), followed by {@code data}, padded to even. */
    WavBuilder chunk(String id, long declared, byte[] data) {
        body.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(le(4).putInt((int) declared).array());
        body.writeBytes(data);
        if ((data.length & 1) == 1) body.write(0);
        return this;
    }

    WavBuilder raw(byte[] bytes) {
        body.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        byte[] b = body.toByteArray();
        ByteBuffer out = le(12 + b.length);
        out.put(riff.getBytes(StandardCharsets.US_ASCII)).putInt(4 + b.length).put(form.getBytes(StandardCharsets.US_ASCII)).put(b);
        return out.array();
    }

    static byte[] int16(int... v) {
        ByteBuffer b = le(2 * v.length);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }
}

package dev.vavl4j.media.audio;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * RIFF/WAVE reader in pure Java. Reads PCM 8-bit (unsigned), 16, 24 and 32-bit (signed), IEEE float 32 and
 * 64, plain or {@code WAVE_FORMAT_EXTENSIBLE}, any rate and channel count; channels are mixed to mono by
 * their mean. Scale to [-1, 1]: int16 x/32768, int24 x/8388608, int32 x/2147483648, uint8 (x-128)/128;
 * floats as stored (they must be finite; they are not clipped).
 *
 * <p>Tolerated: unknown chunks (skipped; odd sizes are padded to even as RIFF says), a data size of 0 or
 * 0xFFFFFFFF (a streamed WAV whose writer never patched the size: the data runs to the end of the file),
 * and a data chunk longer than the file (a truncated file: what is there, whole frames only). Refused with
 * a one-line {@link MediaFormatException} naming the file, the field and its value: anything not RIFF/WAVE,
 * no fmt or no data chunk, a short fmt chunk, 0 channels, rate 0, a block align that does not match
 * channels × bytes per sample, an encoding other than PCM and IEEE float (A-law, mu-law, ADPCM, MP3...),
 * an unsupported sample width, and NaN or infinite float samples.
 */
public final class WavReader {
    private static final int PCM = 0x0001, IEEE_FLOAT = 0x0003, EXTENSIBLE = 0xFFFE;
    /** The 14 bytes after the format tag in a KSDATAFORMAT_SUBTYPE_* GUID: -0000-0010-8000-00AA00389B71. */
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};
    private static final long MAX_FILE = Integer.MAX_VALUE - 8;

    private WavReader() {}

    /** Reads {@code file}; errors name it as given. */
    public static PcmAudio read(Path file) {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE) throw new MediaFormatException(name + ": WAV file too large (" + size + " bytes; at most " + MAX_FILE + ")");
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // until full or end of file (a file still being written may be shorter than its size said)
            }
            return parse(buf.flip(), name);
        } catch (NoSuchFileException e) {
            throw new MediaFormatException(name + ": file not found");
        } catch (IOException e) {
            throw new MediaFormatException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a whole WAV stream (not closed); {@code name} is used in messages only. */
    public static PcmAudio read(InputStream in, String name) {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) MAX_FILE + 1);
        } catch (IOException e) {
            throw new MediaFormatException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (bytes.length > MAX_FILE) throw new MediaFormatException(name + ": WAV stream too large (more than " + MAX_FILE + " bytes)");
        return parse(ByteBuffer.wrap(bytes), name);
    }

    private record Format(int tag, int channels, int rate, int blockAlign, int bits) {}

    static PcmAudio parse(ByteBuffer b, String name) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int len = b.limit();
        if (len < 12) throw new MediaFormatException(name + ": not a WAV file (" + len + " bytes; a RIFF/WAVE header needs 12)");
        String riff = fourCc(b, 0);
        if (!riff.equals("RIFF")) {
            String hint = riff.equals("RF64") ? "; RF64 (64-bit WAV) is not supported" : riff.equals("RIFX") ? "; big-endian RIFX is not supported" : "";
            throw new MediaFormatException(name + ": not a WAV file (starts with \"" + riff + "\", expected \"RIFF\"" + hint + ")");
        }
        String form = fourCc(b, 8);
        if (!form.equals("WAVE")) throw new MediaFormatException(name + ": RIFF form type \"" + form + "\" is not \"WAVE\"");

        // Walk the chunks (the RIFF size field is not trusted: streamed files leave it 0 or wrong).
        Format fmt = null;
        long dataStart = -1, dataLen = 0;
        long pos = 12;
        while (pos + 8 <= len) {
            String id = fourCc(b, (int) pos);
            long size = b.getInt((int) pos + 4) & 0xFFFFFFFFL;
            long body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16) throw new MediaFormatException(name + ": fmt chunk is " + size + " bytes (at least 16 needed)");
                if (body + size > len) throw new MediaFormatException(name + ": fmt chunk truncated (" + size + " bytes announced, " + (len - body) + " present)");
                fmt = format(b, (int) body, (int) size, name);
            } else if (id.equals("data") && dataStart < 0) {
                dataStart = body;
                boolean streamed = size == 0 || size == 0xFFFFFFFFL;
                dataLen = streamed ? len - body : Math.min(size, len - body);
                if (streamed) break;   // it runs to the end of the file: nothing after it can be a chunk
            }
            pos = body + size + (size & 1);   // chunks are padded to an even size
        }
        if (fmt == null) throw new MediaFormatException(name + ": no fmt chunk (not a usable WAV file)");
        if (dataStart < 0) throw new MediaFormatException(name + ": no data chunk");
        return new PcmAudio(decode(b, (int) dataStart, dataLen, fmt, name), fmt.rate);
    }

    private static Format format(ByteBuffer b, int at, int size, String name) {
        int tag = b.getShort(at) & 0xFFFF;
        int channels = b.getShort(at + 2) & 0xFFFF;
        long rate = b.getInt(at + 4) & 0xFFFFFFFFL;
        int blockAlign = b.getShort(at + 12) & 0xFFFF;
        int bits = b.getShort(at + 14) & 0xFFFF;
        if (tag == EXTENSIBLE) {
            int cb = size >= 18 ? b.getShort(at + 16) & 0xFFFF : 0;
            if (size < 40 || cb < 22) {
                throw new MediaFormatException(name + ": WAVE_FORMAT_EXTENSIBLE fmt chunk is " + size + " bytes with cbSize " + cb + " (40 and 22 needed)");
            }
            int sub = b.getShort(at + 24) & 0xFFFF;
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (b.get(at + 26 + i) != GUID_TAIL[i]) {
                    throw new MediaFormatException(name + ": WAVE_FORMAT_EXTENSIBLE sub-format " + guid(b, at + 24) + " is not supported (PCM and IEEE float are)");
                }
            }
            tag = sub;   // validBitsPerSample is ignored: samples are left-justified in their container
        }
        if (tag != PCM && tag != IEEE_FLOAT) {
            throw new MediaFormatException(name + ": WAV format tag " + String.format("0x%04X", tag) + tagName(tag) + " is not supported (PCM and IEEE float are)");
        }
        if (channels == 0) throw new MediaFormatException(name + ": WAV channel count 0 (must be ≥ 1)");
        if (rate == 0 || rate > Integer.MAX_VALUE) throw new MediaFormatException(name + ": WAV sample rate " + rate + " (must be 1 .. " + Integer.MAX_VALUE + ")");
        boolean ok = tag == PCM ? bits == 8 || bits == 16 || bits == 24 || bits == 32 : bits == 32 || bits == 64;
        if (!ok) {
            throw new MediaFormatException(name + ": WAV bits per sample " + bits + " is not supported for "
                    + (tag == PCM ? "PCM (8, 16, 24 or 32 are)" : "IEEE float (32 or 64 are)"));
        }
        int expected = channels * (bits / 8);
        if (blockAlign != expected) {
            throw new MediaFormatException(name + ": WAV block align " + blockAlign + " does not match " + channels + " channel(s) × "
                    + bits + " bits (expected " + expected + ")");
        }
        return new Format(tag, channels, (int) rate, blockAlign, bits);
    }

    private static float[] decode(ByteBuffer b, int start, long bytes, Format f, String name) {
        int frames = (int) (bytes / f.blockAlign);   // whole frames only (a truncated file may end mid-frame)
        int ch = f.channels, width = f.bits / 8;
        float[] out = new float[frames];
        for (int t = 0; t < frames; t++) {
            int at = start + t * f.blockAlign;
            double sum = 0;
            for (int c = 0; c < ch; c++, at += width) {
                double v = sample(b, at, f);
                if (!Double.isFinite(v)) {
                    throw new MediaFormatException(name + ": float sample " + t + " (channel " + c + ") is " + (Double.isNaN(v) ? "NaN" : "infinite"));
                }
                sum += v;
            }
            out[t] = (float) (ch == 1 ? sum : sum / ch);
        }
        return out;
    }

    private static double sample(ByteBuffer b, int at, Format f) {
        if (f.tag == IEEE_FLOAT) return f.bits == 32 ? b.getFloat(at) : b.getDouble(at);
        return switch (f.bits) {
            case 8 -> ((b.get(at) & 0xFF) - 128) / 128.0;
            case 16 -> b.getShort(at) / 32768.0;
            case 24 -> ((b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8 | b.get(at + 2) << 16) / 8388608.0;
            default -> b.getInt(at) / 2147483648.0;
        };
    }

    private static String fourCc(ByteBuffer b, int at) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b.get(at + i) & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : String.format("\\x%02x", c));
        }
        return s.toString();
    }

    private static String guid(ByteBuffer b, int at) {
        return String.format("{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", b.getInt(at), b.getShort(at + 4) & 0xFFFF,
                b.getShort(at + 6) & 0xFFFF, b.get(at + 8), b.get(at + 9), b.get(at + 10), b.get(at + 11), b.get(at + 12),
                b.get(at + 13), b.get(at + 14), b.get(at + 15));
    }

    private static String tagName(int tag) {
        return switch (tag) {
            case 0x0002 -> " (ADPCM)";
            case 0x0006 -> " (A-law)";
            case 0x0007 -> " (mu-law)";
            case 0x0011 -> " (IMA ADPCM)";
            case 0x0031 -> " (GSM 6.10)";
            case 0x0050 -> " (MPEG)";
            case 0x0055 -> " (MPEG Layer 3)";
            default -> "";
        };
    }

    /**
     * Writes mono 16-bit PCM (for tests and tools): samples clipped to [-1, 1], scaled by 32768, rounded,
     * clamped to [-32768, 32767], so a file read by {@link #read} and written again is unchanged.
     */
    static void write16(Path file, PcmAudio audio) {
        float[] x = audio.samples();
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * x.length)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) PCM).putShort((short) 1).putInt(audio.sampleRate()).putInt(2 * audio.sampleRate())
                .putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * x.length);
        for (float v : x) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768.0))));
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(b.array());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(file + ": cannot write", e);
        }
    }
}

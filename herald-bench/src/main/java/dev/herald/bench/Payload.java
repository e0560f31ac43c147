package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * What a bench push carries so that the receiving client measures latency and loss: a sequence number
 * ({@code seq}) and the send time ({@code ts}, nanoseconds on this process's {@link #now() clock}: the
 * tool both sends and receives, so no clock crosses a process), padded with {@code pad} to a size.
 *
 * <p>A seed line (the client receives the line itself): {@code {"uid":"b7","seq":42,"ts":123,"pad":"xx"}}.
 * Herald's broadcast command: {@code broadcast {"data":{"seq":42,"ts":123,"pad":"xx"}}}, of which the
 * client receives the {@code data} object. Sizes count the bytes the client receives; a size smaller
 * than the fields themselves gives an empty pad (the payload is then larger than asked).
 */
final class Payload {

    private static final long ORIGIN = System.nanoTime();
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS = "\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final String PADDING = "x".repeat(64 * 1024);

    private Payload() {}

    /** Nanoseconds since this class loaded; always positive, comparable only within this process. */
    static long now() {
        return System.nanoTime() - ORIGIN;
    }

    /** A seed push line for {@code uid} (ASCII), without its line ending. */
    static String seedLine(String uid, long seq, long ts, int size) {
        return pad(
                new StringBuilder(size + 16).append("{\"uid\":\"").append(uid).append("\","), seq, ts, size);
    }

    /** The JSON object a Herald broadcast delivers, {@code size} bytes when the fields leave room. */
    static String dataObject(long seq, long ts, int size) {
        return pad(new StringBuilder(size + 16).append('{'), seq, ts, size);
    }

    /** Herald's Text-port broadcast command delivering {@link #dataObject}, without its line ending. */
    static String broadcastCommand(long seq, long ts, int size) {
        return "broadcast {\"data\":" + dataObject(seq, ts, size) + "}";
    }

    private static String pad(StringBuilder head, long seq, long ts, int size) {
        head.append("\"seq\":").append(seq).append(",\"ts\":").append(ts).append(",\"pad\":\"");
        int padding = Math.max(0, size - head.length() - 2);
        return head.append(PADDING, 0, Math.min(padding, PADDING.length()))
                .append("\"}")
                .toString();
    }

    /** The {@code seq} of a payload in {@code buf[from, to)}, or -1 if it has none. */
    static long seq(ByteBuf buf, int from, int to) {
        return field(buf, from, to, SEQ);
    }

    /** The {@code ts} of a payload in {@code buf[from, to)}, or -1 if it has none. */
    static long ts(ByteBuf buf, int from, int to) {
        return field(buf, from, to, TS);
    }

    /** The non-negative integer after {@code key} (spaces allowed after the colon), or -1. */
    private static long field(ByteBuf buf, int from, int to, byte[] key) {
        int last = to - key.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int k = 0; k < key.length; k++) {
                if (buf.getByte(i + k) != key[k]) {
                    continue outer;
                }
            }
            int p = i + key.length;
            while (p < to && buf.getByte(p) == ' ') {
                p++;
            }
            long value = 0;
            int digits = 0;
            while (p < to && digits < 18) {
                byte b = buf.getByte(p);
                if (b < '0' || b > '9') {
                    break;
                }
                value = value * 10 + (b - '0');
                digits++;
                p++;
            }
            return digits == 0 ? -1 : value;
        }
        return -1;
    }
}

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
    private static final byte[] PADDING_BYTES = PADDING.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS_FIELD = ",\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAD_FIELD = ",\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJECT_HEAD = {'{'};
    private static final byte[] BROADCAST_HEAD = "broadcast {\"data\":".getBytes(StandardCharsets.US_ASCII);

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

    /**
     * The start of {@code uid}'s seed lines, {@code {"uid":"…",}}, for {@link #writeSeedLine}: computed
     * once per uid, so that writing a line allocates nothing.
     */
    static byte[] seedHead(String uid) {
        return ("{\"uid\":\"" + uid + "\",").getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@link #seedLine} (for the uid of {@code head}, from {@link #seedHead}) and a newline. */
    static void writeSeedLine(ByteBuf buf, byte[] head, long seq, long ts, int size) {
        writePadded(buf, head, seq, ts, size);
        buf.writeByte('\n');
    }

    /** Writes {@link #broadcastCommand} and a newline. */
    static void writeBroadcastCommand(ByteBuf buf, long seq, long ts, int size) {
        buf.writeBytes(BROADCAST_HEAD);
        writePadded(buf, OBJECT_HEAD, seq, ts, size);
        buf.writeByte('}').writeByte('\n');
    }

    /** The bytes of {@link #pad} after {@code head}, written without allocating. */
    private static void writePadded(ByteBuf buf, byte[] head, long seq, long ts, int size) {
        int start = buf.writerIndex();
        buf.writeBytes(head).writeBytes(SEQ);
        writeDecimal(buf, seq);
        buf.writeBytes(TS_FIELD);
        writeDecimal(buf, ts);
        buf.writeBytes(PAD_FIELD);
        int padding = Math.max(0, size - (buf.writerIndex() - start) - 2);
        buf.writeBytes(PADDING_BYTES, 0, Math.min(padding, PADDING_BYTES.length));
        buf.writeByte('"').writeByte('}');
    }

    /** Writes a non-negative {@code value} in decimal. */
    private static void writeDecimal(ByteBuf buf, long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int at = buf.writerIndex();
        buf.ensureWritable(digits);
        for (int i = digits - 1; i >= 0; i--) {
            buf.setByte(at + i, (int) ('0' + value % 10));
            value /= 10;
        }
        buf.writerIndex(at + digits);
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

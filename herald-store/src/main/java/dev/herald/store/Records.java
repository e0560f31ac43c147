package dev.herald.store;

import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.PushResult;
import dev.herald.core.Receipt;
import dev.herald.core.history.Publication;
import dev.herald.core.store.Journal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The bytes of what the journal keeps: a message's key is its stream's name (length first) and its
 * offset (big-endian, so that a stream's messages are in offset order), and each value starts with a
 * format byte so that a later version can read what an earlier one wrote.
 */
final class Records {

    private static final int FORMAT = 1;

    private Records() {}

    /** The prefix every message key of a stream starts with: the name's length (2 bytes) and its UTF-8. */
    static byte[] streamPrefix(String stream) {
        byte[] name = stream.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + name.length)
                .putShort((short) name.length)
                .put(name)
                .array();
    }

    static byte[] messageKey(String stream, long offset) {
        byte[] prefix = streamPrefix(stream);
        return ByteBuffer.allocate(prefix.length + 8)
                .put(prefix)
                .putLong(offset)
                .array();
    }

    /** The stream a message key names. */
    static String streamOf(byte[] key) {
        int length = ByteBuffer.wrap(key).getShort() & 0xFFFF;
        return new String(key, 2, length, StandardCharsets.UTF_8);
    }

    static long offsetOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] publication(Publication publication) {
        Message message = publication.message();
        PushOptions options = message.options();
        Receipt receipt = message.receipt();
        return write(out -> {
            out.writeByte(FORMAT);
            out.writeBoolean(publication.waiting());
            out.writeLong(publication.time());
            out.writeLong(publication.expiresAt());
            out.writeLong(options.ttlMillis());
            writeNullable(out, options.id());
            writeNullable(out, options.key());
            writeNullable(out, receipt == null ? null : receipt.id());
            writeNullable(out, message.idKey());
            out.writeShort(publication.exceptUids().size());
            for (String uid : publication.exceptUids()) {
                out.writeUTF(uid);
            }
            out.writeInt(message.size());
            out.write(message.payload());
        });
    }

    /** A kept publication back from its bytes; {@code receipts} finds the receipt it reports to. */
    static Publication publication(
            String stream, String epoch, long offset, byte[] value, Function<String, Receipt> receipts) {
        return read(value, in -> {
            format(in);
            boolean waiting = in.readBoolean();
            long time = in.readLong();
            long expiresAt = in.readLong();
            long ttl = in.readLong();
            String id = readNullable(in);
            String key = readNullable(in);
            String receiptId = readNullable(in);
            String idKey = readNullable(in);
            int excepted = in.readUnsignedShort();
            Set<String> exceptUids = excepted == 0 ? Set.of() : new HashSet<>();
            for (int i = 0; i < excepted; i++) {
                exceptUids.add(in.readUTF());
            }
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            Message message = Message.ofUtf8(payload, new PushOptions(ttl, id, key, receiptId != null));
            Receipt receipt = receiptId == null ? null : receipts.apply(receiptId);
            if (receipt != null) {
                message.track(receipt);
            }
            message.idKey(idKey);
            return new Publication(stream, epoch, offset, message, exceptUids, time, expiresAt, waiting);
        });
    }

    static byte[] position(Journal.Position position) {
        return write(out -> {
            out.writeByte(FORMAT);
            out.writeUTF(position.epoch());
            out.writeLong(position.top());
            out.writeLong(position.trimmed());
            out.writeBoolean(position.keeps());
        });
    }

    static Journal.Position position(byte[] value) {
        return read(value, in -> {
            format(in);
            return new Journal.Position(in.readUTF(), in.readLong(), in.readLong(), in.readBoolean());
        });
    }

    /** An idempotency id's value: when it expires and the push's result ({@code null}: not known). */
    static byte[] id(long expiresAt, PushResult result) {
        return write(out -> {
            out.writeByte(FORMAT);
            out.writeLong(expiresAt);
            out.writeInt(result.sessions());
            out.writeInt(result.uids());
            out.writeInt(result.queued());
            out.writeInt(result.dropped());
            writeNullable(out, result.receipt());
        });
    }

    record Id(long expiresAt, PushResult result) {}

    static Id id(byte[] value) {
        return read(value, in -> {
            format(in);
            long expiresAt = in.readLong();
            PushResult result =
                    new PushResult(in.readInt(), in.readInt(), in.readInt(), in.readInt(), false, readNullable(in));
            return new Id(expiresAt, result);
        });
    }

    static byte[] receipt(Receipt receipt) {
        return write(receipt::writeTo);
    }

    static Receipt receipt(byte[] value) {
        return read(value, Receipt::readFrom);
    }

    private static void format(DataInputStream in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("record format " + format + " is not " + FORMAT + " (written by a newer Herald?)");
        }
    }

    private static void writeNullable(DataOutputStream out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            out.writeUTF(text);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] value, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

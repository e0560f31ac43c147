package dev.herald.protocol.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.herald.core.Message;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.Streams;
import dev.herald.protocol.client.ClientFrame.Ack;
import dev.herald.protocol.client.ClientFrame.Hello;
import dev.herald.protocol.client.ClientFrame.Invalid;
import dev.herald.protocol.client.ClientFrame.Pong;
import dev.herald.protocol.client.ClientFrame.Refresh;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code herald.v1} client protocol's JSON (docs/protocol.md §4): client messages read, server
 * messages written. Pure functions, thread-safe.
 *
 * <p>Unknown fields are ignored, so that later clients of the same version may add optional ones; a
 * field of the wrong type is refused.
 */
public final class ClientJson {

    /** The WebSocket subprotocol name of this version. */
    public static final String SUBPROTOCOL = "herald.v1";

    /** Most streams a hello may name. */
    public static final int MAX_HELLO_STREAMS = 1000;

    /** Longest stream name in a client's message, in characters. */
    public static final int MAX_STREAM_CHARS = 300;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private static final byte[] PING = "{\"t\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);

    private ClientJson() {}

    /** The server's keepalive message; the client answers {@code {"t":"pong"}}. */
    public static byte[] ping() {
        return PING.clone();
    }

    /** Reads one client message (a whole text message, valid UTF-8). */
    public static ClientFrame parse(byte[] utf8) {
        try (JsonParser parser = JSON.createParser(utf8)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Invalid("a message must be a JSON object", true);
            }
            String type = null;
            String uid = null;
            String token = null;
            boolean tokenWrong = false;
            Map<String, StreamPosition> positions = Map.of();
            Map<String, Long> acks = Map.of();
            boolean uidWrong = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "t" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return new Invalid("t must be a string", true);
                        }
                        type = parser.getText();
                    }
                    case "uid" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            uid = parser.getText();
                        } else {
                            uidWrong = true;
                            parser.skipChildren();
                        }
                    }
                    case "token" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            token = parser.getText();
                        } else if (value != JsonToken.VALUE_NULL) { // null: no token
                            tokenWrong = true;
                            parser.skipChildren();
                        }
                    }
                    case "streams" -> {
                        if (value != JsonToken.START_OBJECT) {
                            return new Invalid("streams must be an object", true);
                        }
                        // Positions for a hello, offsets for an ack: which one is known from t, which may
                        // come later; read both shapes and keep what fits.
                        Object streams = readStreams(parser);
                        if (streams instanceof String refusal) {
                            return new Invalid(refusal, true);
                        }
                        @SuppressWarnings("unchecked")
                        Map<String, Object> read = (Map<String, Object>) streams;
                        positions = positions(read);
                        acks = offsets(read);
                        if (positions == null && acks == null) {
                            return new Invalid("streams must map names to positions or to offsets", true);
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return new Invalid("content after the JSON object", true);
            }
            if (type == null) {
                return new Invalid("no t (message type)", true);
            }
            return switch (type) {
                case "hello" -> {
                    if (uidWrong) {
                        yield new Invalid("uid must be a string", true);
                    }
                    if (tokenWrong) {
                        yield new Invalid("token must be a string", true);
                    }
                    if (uid == null && token == null) {
                        yield new Invalid("hello without uid or token", true);
                    }
                    if (positions == null) {
                        yield new Invalid("hello streams must map names to {\"e\":epoch,\"o\":offset}", true);
                    }
                    yield new Hello(uid, token, positions);
                }
                case "refresh" ->
                    token == null
                            ? new Invalid(tokenWrong ? "token must be a string" : "refresh without token", false)
                            : new Refresh(token);
                case "ack" ->
                    acks == null ? new Invalid("ack streams must map names to offsets", false) : new Ack(acks);
                case "pong" -> new Pong();
                default -> new Invalid("unknown message type " + shortened(type), false);
            };
        } catch (StreamReadException e) {
            return new Invalid("not JSON: " + e.getOriginalMessage(), true);
        } catch (IOException e) {
            return new Invalid("not JSON", true);
        }
    }

    /**
     * {@code {name: {"e":…,"o":…}}} or {@code {name: offset}}: a map of the names to a StreamPosition or
     * a Long, or a refusal text.
     */
    private static Object readStreams(JsonParser parser) throws IOException {
        Map<String, Object> streams = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (name.length() > MAX_STREAM_CHARS || !Streams.isValid(name)) {
                return "invalid stream name " + shortened(name);
            }
            if (streams.size() == MAX_HELLO_STREAMS) {
                return "more than " + MAX_HELLO_STREAMS + " streams";
            }
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT) {
                long offset = parser.getLongValue();
                if (offset < 0) {
                    return "negative offset for " + shortened(name);
                }
                streams.put(name, offset);
            } else if (value == JsonToken.START_OBJECT) {
                String epoch = null;
                long offset = -1;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken v = parser.nextToken();
                    if (field.equals("e") && v == JsonToken.VALUE_STRING) {
                        epoch = parser.getText();
                    } else if (field.equals("o") && v == JsonToken.VALUE_NUMBER_INT) {
                        offset = parser.getLongValue();
                    } else if (field.equals("e") || field.equals("o")) {
                        return "a position is {\"e\":epoch string,\"o\":offset integer}";
                    } else {
                        parser.skipChildren();
                    }
                }
                if (epoch == null || offset < 0) {
                    return "a position is {\"e\":epoch string,\"o\":offset integer}";
                }
                streams.put(name, new StreamPosition(epoch, offset));
            } else {
                return "a stream maps to a position or an offset";
            }
        }
        return streams;
    }

    private static Map<String, StreamPosition> positions(Map<String, Object> streams) {
        Map<String, StreamPosition> positions = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : streams.entrySet()) {
            if (!(entry.getValue() instanceof StreamPosition position)) {
                return null;
            }
            positions.put(entry.getKey(), position);
        }
        return positions;
    }

    private static Map<String, Long> offsets(Map<String, Object> streams) {
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : streams.entrySet()) {
            if (!(entry.getValue() instanceof Long offset)) {
                return null;
            }
            offsets.put(entry.getKey(), offset);
        }
        return offsets;
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /**
     * The answer to a hello: {@code {"t":"welcome","conn":…,"uid":…,"ping":…,"streams":{…}}}, one entry per
     * answer with {@code r} (new, recovered, gap, reset), {@code e}, {@code o} (the client's position
     * from now on), {@code top} and, when something is gone for good, {@code missed: [[from, to], …]}.
     */
    public static byte[] welcome(String connection, String uid, long pingSeconds, List<Recovery> answers) {
        return welcome(connection, uid, pingSeconds, answers, 0, List.of());
    }

    /**
     * The answer to a hello, with {@code exp} (epoch seconds) when the connection's token expires and
     * {@code denied}: the streams of the hello that the connection may not read (not its uid's, and of
     * a group neither its uid nor its token is in), which get nothing.
     */
    public static byte[] welcome(
            String connection,
            String uid,
            long pingSeconds,
            List<Recovery> answers,
            long expSeconds,
            List<String> denied) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 96 * answers.size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("t", "welcome");
            json.writeStringField("conn", connection);
            json.writeStringField("uid", uid);
            json.writeNumberField("ping", pingSeconds);
            if (expSeconds != 0) {
                json.writeNumberField("exp", expSeconds);
            }
            if (!denied.isEmpty()) {
                json.writeArrayFieldStart("denied");
                for (String stream : denied) {
                    json.writeString(stream);
                }
                json.writeEndArray();
            }
            json.writeObjectFieldStart("streams");
            for (Recovery answer : answers) {
                json.writeObjectFieldStart(answer.stream());
                json.writeStringField("r", answer.kind().wireName());
                json.writeStringField("e", answer.epoch());
                json.writeNumberField("o", answer.from());
                json.writeNumberField("top", answer.top());
                if (!answer.missed().isEmpty()) {
                    json.writeArrayFieldStart("missed");
                    for (Recovery.Range range : answer.missed()) {
                        json.writeStartArray();
                        json.writeNumber(range.from());
                        json.writeNumber(range.to());
                        json.writeEndArray();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * {@code {"t":"refreshed","exp":…}}: the connection's token was replaced; {@code exp} (epoch
     * seconds) is when the new one expires, absent if it does not.
     */
    public static byte[] refreshed(long expSeconds) {
        return expSeconds == 0
                ? "{\"t\":\"refreshed\"}".getBytes(StandardCharsets.US_ASCII)
                : ("{\"t\":\"refreshed\",\"exp\":" + expSeconds + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code {"t":"error","code":…,"message":…}}: a client message was refused; the connection stays. */
    public static byte[] error(String code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("t", "error");
            json.writeStringField("code", code);
            json.writeStringField("message", message);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static final byte[] MSG_STREAM = bytes("{\"t\":\"msg\",\"s\":");
    private static final byte[] MSG_EPOCH = bytes(",\"e\":");
    private static final byte[] MSG_OFFSET = bytes(",\"o\":");
    private static final byte[] MSG_PREVIOUS = bytes(",\"p\":");
    private static final byte[] MSG_DATA = bytes(",\"d\":");
    private static final byte[] MSG_ID = bytes(",\"id\":");
    private static final byte[] MSG_KEY = bytes(",\"k\":");

    /**
     * A publication as the client gets it: {@code {"t":"msg","s":stream,"e":epoch,"o":offset,"p":previous,
     * "id":id,"k":key,"d":payload}} ({@code id} and {@code k} only when the push had them), the payload as
     * a JSON string of exactly the text a seed client would get. Built by
     * hand: this runs once per message (once per connection when {@code previous} is not {@code offset -
     * 1}).
     */
    public static byte[] message(Publication publication, long previous) {
        byte[] stream = publication.stream().getBytes(StandardCharsets.UTF_8);
        byte[] epoch = publication.epoch().getBytes(StandardCharsets.UTF_8);
        byte[] payload = publication.message().payload();
        String offset = Long.toString(publication.offset());
        String before = Long.toString(previous);
        String idText = publication.message().options().id();
        byte[] id = idText == null ? null : idText.getBytes(StandardCharsets.UTF_8);
        String keyText = publication.message().key();
        byte[] key = keyText == null ? null : keyText.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte
                [MSG_STREAM.length
                        + escapedLength(stream)
                        + MSG_EPOCH.length
                        + escapedLength(epoch)
                        + MSG_OFFSET.length
                        + offset.length()
                        + MSG_PREVIOUS.length
                        + before.length()
                        + (id == null ? 0 : MSG_ID.length + escapedLength(id))
                        + (key == null ? 0 : MSG_KEY.length + escapedLength(key))
                        + MSG_DATA.length
                        + escapedLength(payload)
                        + 1];
        int at = put(out, 0, MSG_STREAM);
        at = escaped(out, at, stream);
        at = put(out, at, MSG_EPOCH);
        at = escaped(out, at, epoch);
        at = put(out, at, MSG_OFFSET);
        at = ascii(out, at, offset);
        at = put(out, at, MSG_PREVIOUS);
        at = ascii(out, at, before);
        if (id != null) {
            at = put(out, at, MSG_ID);
            at = escaped(out, at, id);
        }
        if (key != null) {
            at = put(out, at, MSG_KEY);
            at = escaped(out, at, key);
        }
        at = put(out, at, MSG_DATA);
        at = escaped(out, at, payload);
        out[at] = '}';
        return out;
    }

    /** The key of a publication's shared {@code msg} form (previous offset {@code offset - 1}). */
    private static final Object SHARED_MESSAGE = new Object();

    /**
     * A publication's {@code msg} as a message to send: shared by every connection when {@code previous}
     * is the offset just before (the common case), built for this connection otherwise.
     */
    public static Message messageOf(Publication publication, long previous) {
        if (previous == publication.offset() - 1) {
            return publication.encoded(SHARED_MESSAGE, ClientJson::sharedMessage);
        }
        return Message.derived(message(publication, previous), publication.message());
    }

    private static Message sharedMessage(Publication publication) {
        return Message.derived(message(publication, publication.offset() - 1), publication.message());
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    private static int ascii(byte[] out, int at, String digits) {
        for (int i = 0; i < digits.length(); i++) {
            out[at++] = (byte) digits.charAt(i);
        }
        return at;
    }

    private static final byte[] HEX = bytes("0123456789abcdef");

    /** Bytes of UTF-8 text as a quoted JSON string. */
    private static int escapedLength(byte[] utf8) {
        int length = utf8.length + 2;
        for (byte b : utf8) {
            if (b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t' || b == '\b' || b == '\f') {
                length += 1;
            } else if (b >= 0 && b < 0x20) {
                length += 5;
            }
        }
        return length;
    }

    /** Writes UTF-8 text as a quoted JSON string; {@code out} has room (see {@link #escapedLength}). */
    private static int escaped(byte[] out, int at, byte[] utf8) {
        out[at++] = '"';
        for (byte b : utf8) {
            switch (b) {
                case '"' -> {
                    out[at++] = '\\';
                    out[at++] = '"';
                }
                case '\\' -> {
                    out[at++] = '\\';
                    out[at++] = '\\';
                }
                case '\n' -> {
                    out[at++] = '\\';
                    out[at++] = 'n';
                }
                case '\r' -> {
                    out[at++] = '\\';
                    out[at++] = 'r';
                }
                case '\t' -> {
                    out[at++] = '\\';
                    out[at++] = 't';
                }
                case '\b' -> {
                    out[at++] = '\\';
                    out[at++] = 'b';
                }
                case '\f' -> {
                    out[at++] = '\\';
                    out[at++] = 'f';
                }
                default -> {
                    if (b >= 0 && b < 0x20) {
                        out[at++] = '\\';
                        out[at++] = 'u';
                        out[at++] = '0';
                        out[at++] = '0';
                        out[at++] = HEX[b >> 4];
                        out[at++] = HEX[b & 0xF];
                    } else {
                        out[at++] = b; // UTF-8 passes through: JSON text is UTF-8
                    }
                }
            }
        }
        out[at++] = '"';
        return at;
    }
}

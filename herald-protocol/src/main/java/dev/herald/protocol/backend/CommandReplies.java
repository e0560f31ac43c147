package dev.herald.protocol.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Counts;
import dev.herald.core.GroupCount;
import dev.herald.core.Page;
import dev.herald.core.PushResult;
import dev.herald.core.auth.Identity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The JSON replies of commands, identical on both adapters: a Text-port reply is one of these plus
 * {@code \n}; an HTTP reply is one of these as the body. Pure functions, thread-safe.
 */
public final class CommandReplies {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private CommandReplies() {}

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private static byte[] object(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            body.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code {"connections":N,"uids":M}}. */
    public static byte[] pushed(PushResult result) {
        return object(json -> pushedFields(json, result));
    }

    /**
     * {@code connections} and {@code uids}, as always; {@code queued} and {@code dropped} (offline uids
     * whose inbox took the message, or had no room for it) when not zero; {@code duplicate} when the push
     * repeated an earlier one's id.
     */
    private static void pushedFields(JsonGenerator json, PushResult result) throws IOException {
        json.writeNumberField("connections", result.sessions());
        json.writeNumberField("uids", result.uids());
        if (result.queued() > 0) {
            json.writeNumberField("queued", result.queued());
        }
        if (result.dropped() > 0) {
            json.writeNumberField("dropped", result.dropped());
        }
        if (result.duplicate()) {
            json.writeBooleanField("duplicate", true);
        }
        if (result.receipt() != null) {
            json.writeStringField("receipt", result.receipt());
        }
    }

    /** {@code {"results":[{"connections":N,"uids":M},…]}}, in request order. */
    public static byte[] pushedBatch(List<PushResult> results) {
        return object(json -> {
            json.writeArrayFieldStart("results");
            for (PushResult result : results) {
                json.writeStartObject();
                pushedFields(json, result);
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    /** {@code {"online":{"uid":true,…}}}. */
    public static byte[] online(Map<String, Boolean> online) {
        return object(json -> {
            json.writeObjectFieldStart("online");
            for (Map.Entry<String, Boolean> entry : online.entrySet()) {
                json.writeBooleanField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
        });
    }

    /**
     * {@code {"uid":u,"connections":["id",…],"details":[{"id":…,"transport":…,"remote":…,"token":{…}},…]}}:
     * {@code token} only for a connection that bound with one ({@code exp} in epoch seconds when it
     * expires, {@code groups}, {@code info}).
     */
    public static byte[] connections(String uid, List<ConnectionInfo> infos, boolean details) {
        return object(json -> {
            json.writeStringField("uid", uid);
            json.writeArrayFieldStart("connections");
            for (ConnectionInfo info : infos) {
                json.writeString(info.id());
            }
            json.writeEndArray();
            if (details) {
                json.writeArrayFieldStart("details");
                for (ConnectionInfo info : infos) {
                    json.writeStartObject();
                    json.writeStringField("id", info.id());
                    json.writeStringField("transport", info.transport());
                    json.writeStringField("remote", info.remote());
                    Identity identity = info.identity();
                    if (identity != null) {
                        json.writeObjectFieldStart("token");
                        if (identity.expires()) {
                            json.writeNumberField("exp", identity.expiresAt() / 1000);
                        }
                        json.writeArrayFieldStart("groups");
                        for (String group : identity.groups()) {
                            json.writeString(group);
                        }
                        json.writeEndArray();
                        if (identity.info() != null) {
                            json.writeFieldName("info");
                            json.writeRawValue(identity.info());
                        }
                        json.writeEndObject();
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
        });
    }

    /** {@code {"<name>":[…],"next":cursor|null}}. */
    public static byte[] page(String name, Page page) {
        return object(json -> pageFields(json, name, page));
    }

    /** {@code {"group":g,"members":[…],"next":cursor|null}}. */
    public static byte[] members(String group, Page page) {
        return object(json -> {
            json.writeStringField("group", group);
            pageFields(json, "members", page);
        });
    }

    private static void pageFields(JsonGenerator json, String name, Page page) throws IOException {
        json.writeArrayFieldStart(name);
        for (String item : page.items()) {
            json.writeString(item);
        }
        json.writeEndArray();
        json.writeStringField("next", page.next());
    }

    /** {@code {"connections":N,"uids":M,"groups":G}}. */
    public static byte[] counts(Counts counts) {
        return object(json -> {
            json.writeNumberField("connections", counts.connections());
            json.writeNumberField("uids", counts.uids());
            json.writeNumberField("groups", counts.groups());
        });
    }

    /** {@code {"group":g,"members":N,"online":K}}. */
    public static byte[] groupCount(GroupCount count) {
        return object(json -> {
            json.writeStringField("group", count.group());
            json.writeNumberField("members", count.members());
            json.writeNumberField("online", count.online());
        });
    }

    /** {@code {"group":g,"added":N}} or {@code {"group":g,"removed":N}}. */
    public static byte[] membership(String group, String verb, int changed) {
        return object(json -> {
            json.writeStringField("group", group);
            json.writeNumberField(verb, changed);
        });
    }

    /** {@code {"closed":N}}. */
    public static byte[] kicked(int closed) {
        return object(json -> json.writeNumberField("closed", closed));
    }

    /** Any map of strings, numbers, booleans, nested maps and collections, as a JSON object. */
    public static byte[] map(Map<String, ?> values) {
        return object(json -> {
            for (Map.Entry<String, ?> entry : values.entrySet()) {
                json.writeFieldName(entry.getKey());
                value(json, entry.getValue());
            }
        });
    }

    private static void value(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.writeFieldName(String.valueOf(entry.getKey()));
                value(json, entry.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof Collection<?> items) {
            json.writeStartArray();
            for (Object item : items) {
                value(json, item);
            }
            json.writeEndArray();
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else if (value instanceof Integer || value instanceof Long) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number number) {
            json.writeNumber(number.doubleValue());
        } else {
            json.writeString(value.toString());
        }
    }

    /** {@code {"error":{"code":…,"message":…,"field":…}}} ({@code field} only when there is one). */
    public static byte[] error(ApiError error) {
        return object(json -> {
            json.writeObjectFieldStart("error");
            json.writeStringField("code", error.code());
            json.writeStringField("message", error.message());
            if (error.field() != null) {
                json.writeStringField("field", error.field());
            }
            json.writeEndObject();
        });
    }
}

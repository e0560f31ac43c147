package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A blocking Text-port connection for the few requests that need an answer before the run goes on:
 * Herald's {@code count} and {@code stats} commands, and verification pushes (pipelined in chunks).
 * One thread at a time.
 */
final class TextControl implements AutoCloseable {

    /** Replies to a batch of push lines, by kind. */
    record PushReplies(long ok, long fail, long other, String firstOther) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 500;

    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    TextControl(InetSocketAddress text) {
        try {
            socket = new Socket();
            socket.connect(text, 10_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the Text port " + text + ": " + e.getMessage(), e);
        }
    }

    /** Sends one line and returns the reply line. */
    String request(String line) {
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("the server closed the Text-port connection");
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException("Text port: " + e.getMessage(), e);
        }
    }

    /** Herald's {@code count}: open client connections. */
    long connectionCount() {
        return json(request("count")).path("connections").asLong(-1);
    }

    /** Herald's {@code stats}: the server's pid. */
    long serverPid() {
        return json(request("stats")).path("pid").asLong(-1);
    }

    private static JsonNode json(String reply) {
        try {
            return JSON.readTree(reply);
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON reply (is this Herald? use --server=seed): " + reply, e);
        }
    }

    /** Sends every line (pipelined, in chunks) and counts the replies. */
    PushReplies pushAll(List<String> lines) {
        long ok = 0;
        long fail = 0;
        long other = 0;
        String firstOther = null;
        try {
            for (int from = 0; from < lines.size(); from += CHUNK) {
                List<String> chunk = lines.subList(from, Math.min(lines.size(), from + CHUNK));
                StringBuilder batch = new StringBuilder();
                chunk.forEach(line -> batch.append(line).append('\n'));
                out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                for (int i = 0; i < chunk.size(); i++) {
                    String reply = in.readLine();
                    if (reply == null) {
                        throw new IOException("the server closed the Text-port connection");
                    }
                    switch (reply) {
                        case "ok" -> ok++;
                        case "fail" -> fail++;
                        default -> {
                            other++;
                            firstOther = firstOther == null ? reply : firstOther;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Text port: " + e.getMessage(), e);
        }
        return new PushReplies(ok, fail, other, firstOther);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to report
        }
    }
}

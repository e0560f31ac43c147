package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Text port over one persistent TCP connection, pipelined: a call writes its line at once (on the
 * caller's thread, under a lock, so that lines go out whole and in order) and queues its future; a
 * reader thread completes the futures in that order, one per reply line. When the connection fails or
 * closes, every call queued on it fails with a {@link HeraldTransportException}; the next call opens a
 * new connection. A call whose reply does not come within the timeout fails, and, since replies come
 * in order, its connection is closed too.
 *
 * <p>Writes block while the server does not read (it stops reading while its replies are not read),
 * which the reader thread prevents; a write stuck beyond the timeout is ended by the timeout closing
 * the socket.
 */
final class TextHeraldClient extends CommandClient {

    /** Longest reply line read; a longer one means the peer is not Herald. */
    static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    private final InetSocketAddress address;
    private final Duration timeout;
    private final Duration connectTimeout;
    /** Sent as {@code auth <key>} first on each connection, or {@code null}. */
    private final String textKey;

    private final ScheduledThreadPoolExecutor timer;
    private final Object writeLock = new Object();
    /** The current connection, or {@code null}; written under {@link #writeLock}. */
    private volatile Connection connection;

    TextHeraldClient(Builder options, InetSocketAddress address) {
        super(options, "herald-text");
        this.address = Objects.requireNonNull(address, "address");
        this.timeout = options.timeout;
        this.connectTimeout = options.connectTimeout;
        this.textKey = options.textKey;
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("herald-text-timer"));
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    CompletableFuture<JsonNode> send(String verb, byte[] params) {
        byte[] line = new byte[verb.length() + 1 + params.length + 1];
        System.arraycopy(verb.getBytes(StandardCharsets.US_ASCII), 0, line, 0, verb.length());
        line[verb.length()] = ' ';
        System.arraycopy(params, 0, line, verb.length() + 1, params.length);
        line[line.length - 1] = '\n';
        Call call = new Call(verb);
        synchronized (writeLock) {
            if (isClosed()) {
                call.future.completeExceptionally(closedError());
                return call.future;
            }
            Connection current = connection;
            if (current == null || current.failure() != null) {
                try {
                    current = Connection.open(this, address, connectTimeout);
                } catch (HeraldTransportException e) {
                    call.future.completeExceptionally(e);
                    return call.future;
                }
                connection = current;
            }
            current.write(call, line);
            if (isClosed()) {
                current.fail(closedError()); // close() ran while this call opened a connection
            }
        }
        return call.future;
    }

    /** Starts the call's timeout; called once it is queued on {@code connection}. */
    void startTimer(Call call, Connection connection) {
        ScheduledFuture<?> task;
        try {
            task = timer.schedule(
                    () -> {
                        HeraldTransportException timedOut = new HeraldTransportException(
                                ErrorCode.TIMEOUT,
                                "no reply to " + call.verb + " from " + address + " within " + timeout.toMillis()
                                        + " ms",
                                null);
                        if (call.future.completeExceptionally(timedOut)) {
                            connection.fail(new HeraldTransportException(
                                    ErrorCode.TRANSPORT,
                                    "connection to " + address + " closed: an earlier call timed out, and replies come"
                                            + " in order",
                                    timedOut));
                        }
                    },
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            call.future.completeExceptionally(closedError()); // the client is closing
            return;
        }
        call.future.whenComplete((reply, failure) -> task.cancel(false));
    }

    /** Not under the write lock: a writer blocked on a server that does not read must not block close. */
    @Override
    void closeTransport() {
        Connection current = connection;
        if (current != null) {
            current.fail(closedError());
        }
        timer.shutdownNow();
    }

    /** One call waiting for its reply line. */
    static final class Call {
        final String verb;
        final CompletableFuture<JsonNode> future = new CompletableFuture<>();

        Call(String verb) {
            this.verb = verb;
        }
    }

    /** One TCP connection: the calls written on it, in order, and the thread that reads their replies. */
    static final class Connection {
        private final TextHeraldClient client;
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        /** Written calls waiting for their replies, oldest first; guarded by {@code this}. */
        private final ArrayDeque<Call> calls = new ArrayDeque<>();
        /** Why the connection is unusable, or {@code null}; guarded by {@code this}. */
        private HeraldTransportException failure;

        private Connection(TextHeraldClient client, Socket socket) throws IOException {
            this.client = client;
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            this.in = socket.getInputStream();
        }

        static Connection open(TextHeraldClient client, InetSocketAddress address, Duration connectTimeout) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(address, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
                Connection connection = new Connection(client, socket);
                if (client.textKey != null) {
                    connection.authenticate(client.textKey, connectTimeout);
                }
                Thread reader = new Thread(connection::readReplies, "herald-text-reader-" + address.getPort());
                reader.setDaemon(true);
                reader.start();
                return connection;
            } catch (IOException | HeraldTransportException e) {
                try {
                    socket.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                if (e instanceof HeraldTransportException refused) {
                    throw refused;
                }
                throw new HeraldTransportException(
                        e instanceof SocketTimeoutException ? ErrorCode.TIMEOUT : ErrorCode.TRANSPORT,
                        "cannot connect to the Text port " + address + ": " + e,
                        e);
            }
        }

        /**
         * Sends {@code auth <key>} and reads its reply before any call is written (so byte by byte: nothing
         * else is on the wire yet), within {@code timeout}.
         *
         * @throws HeraldTransportException {@link ErrorCode#UNAUTHORIZED} (or the server's code) if refused
         */
        void authenticate(String key, Duration timeout) throws IOException {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            out.write(("auth " + key + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream reply = new ByteArrayOutputStream(64);
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (reply.size() > 4096) {
                    throw new HeraldTransportException(ErrorCode.BAD_REPLY, "not a Herald reply to auth", null);
                }
                reply.write(b);
            }
            socket.setSoTimeout(0);
            String text = new String(withoutCarriageReturns(reply.toByteArray()), StandardCharsets.UTF_8);
            if (text.equals("ok")) {
                return;
            }
            if (text.startsWith("error ")) {
                int space = text.indexOf(' ', 6);
                ErrorCode code = ErrorCode.of(space < 0 ? text.substring(6) : text.substring(6, space));
                throw new HeraldTransportException(
                        code == ErrorCode.UNKNOWN ? ErrorCode.UNAUTHORIZED : code,
                        "the Text port refused the key: " + text.substring(6),
                        null);
            }
            throw new HeraldTransportException(
                    b < 0 ? ErrorCode.TRANSPORT : ErrorCode.BAD_REPLY,
                    b < 0 ? "the server closed the connection after auth" : "not a Herald reply to auth: " + text,
                    null);
        }

        synchronized HeraldTransportException failure() {
            return failure;
        }

        /** Queues the call and writes its line; the caller holds the client's write lock. */
        void write(Call call, byte[] line) {
            synchronized (this) {
                if (failure != null) {
                    call.future.completeExceptionally(failure);
                    return;
                }
                calls.add(call);
            }
            client.startTimer(call, this);
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                fail(new HeraldTransportException(
                        ErrorCode.TRANSPORT, "write to " + socket.getRemoteSocketAddress() + " failed: " + e, e));
            }
        }

        /** Marks the connection failed, closes it and fails every call queued on it. Idempotent. */
        void fail(HeraldTransportException cause) {
            List<Call> failed;
            synchronized (this) {
                if (failure == null) {
                    failure = cause;
                }
                failed = new ArrayList<>(calls);
                calls.clear();
            }
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            for (Call call : failed) {
                call.future.completeExceptionally(cause);
            }
        }

        private void readReplies() {
            byte[] buffer = new byte[8192];
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            try {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    int start = 0;
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] == '\n') {
                            line.write(buffer, start, i - start);
                            reply(withoutCarriageReturns(line.toByteArray()));
                            line.reset();
                            start = i + 1;
                        }
                    }
                    line.write(buffer, start, read - start);
                    if (line.size() > MAX_REPLY_BYTES) {
                        throw new HeraldTransportException(
                                ErrorCode.BAD_REPLY, "a reply line longer than " + MAX_REPLY_BYTES + " bytes", null);
                    }
                }
                fail(new HeraldTransportException(
                        ErrorCode.TRANSPORT, "the server closed the connection " + describe(), null));
            } catch (IOException e) {
                fail(new HeraldTransportException(
                        ErrorCode.TRANSPORT, "connection " + describe() + " failed: " + e, e));
            } catch (HeraldTransportException e) {
                fail(e);
            }
        }

        private static byte[] withoutCarriageReturns(byte[] line) {
            int length = line.length;
            while (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            return length == line.length ? line : Arrays.copyOf(line, length);
        }

        private void reply(byte[] line) {
            Call call;
            synchronized (this) {
                call = calls.poll();
            }
            if (call == null) {
                throw new HeraldTransportException(
                        ErrorCode.BAD_REPLY,
                        "a reply to no call from " + describe() + ": " + new String(line, StandardCharsets.UTF_8),
                        null);
            }
            try {
                call.future.complete(client.codec.textReply(line));
            } catch (HeraldTransportException e) {
                call.future.completeExceptionally(e);
                throw e; // not a Herald reply: the replies that follow cannot be trusted either
            } catch (HeraldException e) {
                if (e.code() == ErrorCode.LINE_TOO_LONG) {
                    // The server closes the connection after this reply: drop it now, so that the next
                    // call opens a new one instead of racing the close.
                    fail(new HeraldTransportException(
                            ErrorCode.TRANSPORT, "the server closed the connection after line_too_long", e));
                }
                call.future.completeExceptionally(e);
            }
        }

        private String describe() {
            return String.valueOf(socket.getRemoteSocketAddress());
        }
    }
}

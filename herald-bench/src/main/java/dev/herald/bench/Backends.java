package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Backend connections to a Text port that pipeline lines without waiting, and count the replies: {@code
 * ok}, {@code fail}, errors ({@code error …} or a JSON {@code error}) and other JSON replies, whose
 * {@code "connections":N} (Herald's push and broadcast replies) are summed. Writes come from the
 * backends' event loop (see {@link Pacer#driveOn}); counters are thread-safe.
 */
final class Backends implements AutoCloseable {

    /** One backend connection. */
    static final class Backend {
        final Channel channel;
        final AtomicLong written = new AtomicLong();
        final LongAdder ok = new LongAdder();
        final LongAdder fail = new LongAdder();
        final LongAdder error = new LongAdder();
        final LongAdder json = new LongAdder();
        final LongAdder reportedConnections = new LongAdder();
        volatile String firstError;

        private Backend(Channel channel) {
            this.channel = channel;
        }

        boolean writable() {
            return channel.isWritable();
        }

        /** Writes {@code lines} ({@code count} lines, each ending in a newline) and flushes. */
        void write(ByteBuf lines, long count) {
            written.addAndGet(count);
            channel.writeAndFlush(lines, channel.voidPromise());
        }

        long replies() {
            return ok.sum() + fail.sum() + error.sum() + json.sum();
        }
    }

    private final List<Backend> backends;

    private Backends(List<Backend> backends) {
        this.backends = backends;
    }

    /**
     * Opens {@code count} connections to {@code text}.
     *
     * @throws IllegalStateException if one cannot connect
     */
    static Backends connect(ClientTransport transport, InetSocketAddress text, int count) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Backend[] holder = new Backend[1];
            ChannelFuture f = transport
                    .backendBootstrap()
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            holder[0] = new Backend(ch);
                            ch.pipeline().addLast(new ReplyCounter(holder[0]));
                        }
                    })
                    .connect(text)
                    .awaitUninterruptibly();
            if (!f.isSuccess()) {
                list.forEach(b -> b.channel.close());
                throw new IllegalStateException(
                        "cannot connect to the Text port " + text + ": " + f.cause(), f.cause());
            }
            list.add(holder[0]);
        }
        return new Backends(list);
    }

    /** The event loop every backend connection is on (the transport has one for backends). */
    EventLoop eventLoop() {
        return backends.get(0).channel.eventLoop();
    }

    List<Backend> all() {
        return backends;
    }

    Backend get(int i) {
        return backends.get(i);
    }

    int size() {
        return backends.size();
    }

    long written() {
        return backends.stream().mapToLong(b -> b.written.get()).sum();
    }

    long replies() {
        return backends.stream().mapToLong(Backend::replies).sum();
    }

    long ok() {
        return backends.stream().mapToLong(b -> b.ok.sum()).sum();
    }

    long fail() {
        return backends.stream().mapToLong(b -> b.fail.sum()).sum();
    }

    long errors() {
        return backends.stream().mapToLong(b -> b.error.sum()).sum();
    }

    long reportedConnections() {
        return backends.stream().mapToLong(b -> b.reportedConnections.sum()).sum();
    }

    /** The first error reply any backend got, or null. */
    String firstError() {
        return backends.stream()
                .map(b -> b.firstError)
                .filter(e -> e != null)
                .findFirst()
                .orElse(null);
    }

    /** Waits until every written line has its reply, or {@code timeoutNanos} passed; true if all did. */
    boolean awaitReplies(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (replies() < written()) {
            if (System.nanoTime() > deadline || backends.stream().noneMatch(b -> b.channel.isActive())) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    @Override
    public void close() {
        backends.forEach(b -> b.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS));
    }

    /** Counts reply lines by kind; per connection. */
    private static final class ReplyCounter extends ByteToMessageDecoder {
        private static final byte[] CONNECTIONS = "\"connections\":".getBytes(StandardCharsets.US_ASCII);
        private final Backend backend;

        ReplyCounter(Backend backend) {
            this.backend = backend;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int nl;
            while ((nl = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n')) >= 0) {
                int from = in.readerIndex();
                count(in, from, nl);
                in.readerIndex(nl + 1);
            }
        }

        private void count(ByteBuf in, int from, int to) {
            int length = to - from;
            if (length > 0 && in.getByte(to - 1) == '\r') {
                length--;
            }
            byte first = length > 0 ? in.getByte(from) : 0;
            if (length == 2 && first == 'o' && in.getByte(from + 1) == 'k') {
                backend.ok.increment();
            } else if (length == 4 && first == 'f') {
                backend.fail.increment();
            } else if (first == '{' && !contains(in, from, from + length, "\"error\"")) {
                backend.json.increment();
                long connections = number(in, from, from + length);
                if (connections > 0) {
                    backend.reportedConnections.add(connections);
                }
            } else {
                backend.error.increment();
                if (backend.firstError == null) {
                    backend.firstError = in.toString(from, length, StandardCharsets.UTF_8);
                }
            }
        }

        private static boolean contains(ByteBuf in, int from, int to, String what) {
            return in.toString(from, to - from, StandardCharsets.UTF_8).contains(what);
        }

        private static long number(ByteBuf in, int from, int to) {
            String line = in.toString(from, to - from, StandardCharsets.UTF_8);
            int at = line.indexOf(new String(CONNECTIONS, StandardCharsets.US_ASCII));
            if (at < 0) {
                return -1;
            }
            int p = at + CONNECTIONS.length;
            long value = 0;
            while (p < line.length() && Character.isDigit(line.charAt(p))) {
                value = value * 10 + (line.charAt(p++) - '0');
            }
            return value;
        }
    }
}

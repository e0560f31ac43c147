package dev.herald.microbench;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import dev.herald.core.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One message to {@value #SESSIONS} sessions through {@link Hub#deliver}: to everyone, and to a group
 * whose members are all online, each with and without exclusions. The sessions only count
 * ({@link CountingSession}), so a score is the core's own routing cost per broadcast; divide by the
 * sessions reached for the cost per delivery.
 *
 * <p>Each of {@value #SESSIONS} uids has one session and is in the group. The exclusions name
 * {@value #EXCLUDED} uids or {@value #EXCLUDED} connection ids, spread over the audience.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HubFanoutBenchmark {

    static final int SESSIONS = 10_000;
    static final int EXCLUDED = 100;
    static final String GROUP = "room";

    private Hub hub;

    private MemoryEngine engine;
    private List<CountingSession> sessions;
    private Message message;
    private Target all;
    private Target allExceptUids;
    private Target allExceptConnections;
    private Target group;
    private Target groupExceptUids;
    private Target groupExceptConnections;

    @Setup
    public void setUp() {
        hub = new Hub();
        engine = new MemoryEngine(hub);
        sessions = new ArrayList<>(SESSIONS);
        List<String> uids = new ArrayList<>(SESSIONS);
        Set<String> exceptUids = new HashSet<>();
        Set<String> exceptConnections = new HashSet<>();
        int stride = SESSIONS / EXCLUDED;
        for (int i = 0; i < SESSIONS; i++) {
            String uid = "uid" + i;
            CountingSession session = new CountingSession();
            hub.register(session);
            hub.bind(session, uid);
            sessions.add(session);
            uids.add(uid);
            if (i % stride == 0) {
                exceptUids.add(uid);
            } else if (i % stride == 1) {
                exceptConnections.add(session.id().toString());
            }
        }
        hub.join(GROUP, uids);
        message = Message.ofUtf8(Payloads.json(100));

        all = Target.all();
        allExceptUids = new Target(Set.of(), Set.of(), true, exceptUids, Set.of());
        allExceptConnections = new Target(Set.of(), Set.of(), true, Set.of(), exceptConnections);
        group = Target.group(GROUP);
        groupExceptUids = new Target(Set.of(), Set.of(GROUP), false, exceptUids, Set.of());
        groupExceptConnections = new Target(Set.of(), Set.of(GROUP), false, Set.of(), exceptConnections);

        expect(all, SESSIONS);
        expect(allExceptUids, SESSIONS - EXCLUDED);
        expect(allExceptConnections, SESSIONS - EXCLUDED);
        expect(group, SESSIONS);
        expect(groupExceptUids, SESSIONS - EXCLUDED);
        expect(groupExceptConnections, SESSIONS - EXCLUDED);
    }

    private void expect(Target target, int reached) {
        PushResult result = deliver(target, message);
        if (result.sessions() != reached || result.uids() != reached) {
            throw new IllegalStateException(target + " reached " + result + ", expected " + reached);
        }
    }

    @TearDown
    public void tearDown() {
        long sent = sessions.stream().mapToLong(CountingSession::sent).sum();
        if (sent != hub.deliveryCount()) {
            throw new IllegalStateException("sessions counted " + sent + ", hub " + hub.deliveryCount());
        }
    }

    @Benchmark
    public PushResult all() {
        return deliver(all, message);
    }

    @Benchmark
    public PushResult allExceptUids() {
        return deliver(allExceptUids, message);
    }

    @Benchmark
    public PushResult allExceptConnections() {
        return deliver(allExceptConnections, message);
    }

    @Benchmark
    public PushResult group() {
        return deliver(group, message);
    }

    @Benchmark
    public PushResult groupExceptUids() {
        return deliver(groupExceptUids, message);
    }

    @Benchmark
    public PushResult groupExceptConnections() {
        return deliver(groupExceptConnections, message);
    }

    /** A push through the memory engine (streams and history as the server runs them), completed at once. */
    private PushResult deliver(Target target, Message message) {
        return engine.publish(target, message).toCompletableFuture().join();
    }
}

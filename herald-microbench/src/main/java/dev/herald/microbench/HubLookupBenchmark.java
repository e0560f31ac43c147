package dev.herald.microbench;

import dev.herald.core.GroupCount;
import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Session;
import dev.herald.core.Target;
import dev.herald.core.engine.MemoryEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The {@link Hub}'s per-push lookups with many bound uids: a uid's sessions, whether it is online,
 * group membership and counts, and a push to one uid (the seed's push) through {@link Hub#deliver}.
 *
 * <p>Every uid has one {@link CountingSession}. The group {@value #GROUP} has as many members as there
 * are bound uids, and half of them are online: membership covers offline uids too. Uids are looked up
 * in a fixed random order over all bound uids, as copies of the bound strings, so that each lookup
 * compares characters rather than references and walks the maps cold, as pushes from a backend do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HubLookupBenchmark {

    static final String GROUP = "everyone-half-online";
    /** How many uids are looked up in turn: a power of two, larger than the caches hold. */
    private static final int PICKS = 1 << 16;

    @Param({"10000", "100000"})
    int uids;

    private Hub hub;

    private MemoryEngine engine;
    private String[] picks;
    private int next;
    private Message message;

    @Setup
    public void setUp() {
        hub = new Hub();
        engine = new MemoryEngine(hub);
        List<String> members = new ArrayList<>(uids);
        for (int i = 0; i < uids; i++) {
            String uid = "uid" + i;
            CountingSession session = new CountingSession();
            hub.register(session);
            hub.bind(session, uid);
            members.add(i % 2 == 0 ? uid : "offline" + i);
        }
        hub.join(GROUP, members);
        Random random = new Random(42);
        picks = new String[PICKS];
        for (int i = 0; i < PICKS; i++) {
            picks[i] = new String("uid" + random.nextInt(uids));
        }
        message = Message.ofUtf8(Payloads.json(100));

        GroupCount count = hub.groupCount(GROUP);
        if (hub.uidCount() != uids || count.members() != uids || count.online() != uids / 2) {
            throw new IllegalStateException("unexpected hub: " + hub.counts() + " " + count);
        }
        if (!deliver(Target.uid(picks[0]), message).delivered()) {
            throw new IllegalStateException("a bound uid was not reached");
        }
    }

    private String nextUid() {
        return picks[next++ & (PICKS - 1)];
    }

    @Benchmark
    public List<Session> sessionsOf() {
        return hub.sessionsOf(nextUid());
    }

    @Benchmark
    public boolean isOnline() {
        return hub.isOnline(nextUid());
    }

    /** Half the uids looked up are members. */
    @Benchmark
    public boolean isMember() {
        return hub.isMember(GROUP, nextUid());
    }

    /** Walks every member of the group and checks whether each is online. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public GroupCount groupCount() {
        return hub.groupCount(GROUP);
    }

    /** The seed's push: a target built per push, as the Text port does, to one uid's one session. */
    @Benchmark
    public PushResult deliverToUid() {
        return deliver(Target.uid(nextUid()), message);
    }

    /** A push through the memory engine (streams and history as the server runs them), completed at once. */
    private PushResult deliver(Target target, Message message) {
        return engine.publish(target, message).toCompletableFuture().join();
    }
}

package dev.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.herald.core.Message;
import dev.herald.core.history.Recovery.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SubscriberTest {

    private static final String STREAM = "u:a";
    private static final String EPOCH = "e1";

    /** One frame the sink was given: a publication with the previous offset it named. */
    record Frame(String stream, String epoch, long offset, long previous) {}

    /** A sink that records what it is given, in order; the welcome is a frame on stream "welcome". */
    static final class RecordingSink implements Subscriber.Sink {
        final List<Frame> frames = new ArrayList<>();
        final List<List<Recovery>> welcomes = new ArrayList<>();
        int overflows;
        int conflated;
        volatile boolean congested;
        long maxParkedBytes = 1 << 20;

        @Override
        public boolean congested() {
            return congested;
        }

        @Override
        public long maxParkedBytes() {
            return maxParkedBytes;
        }

        @Override
        public synchronized void conflated(Publication older) {
            conflated++;
        }

        @Override
        public synchronized boolean write(Publication publication, long previousOffset) {
            frames.add(new Frame(publication.stream(), publication.epoch(), publication.offset(), previousOffset));
            return true;
        }

        @Override
        public synchronized void welcome(List<Recovery> answers) {
            welcomes.add(answers);
            frames.add(new Frame("welcome", null, 0, 0));
        }

        @Override
        public synchronized void overflow() {
            overflows++;
        }

        synchronized List<Frame> frames() {
            return List.copyOf(frames);
        }

        synchronized List<Long> offsets() {
            return frames.stream()
                    .filter(f -> !f.stream().equals("welcome"))
                    .map(Frame::offset)
                    .toList();
        }

        synchronized List<Long> previous() {
            return frames.stream()
                    .filter(f -> !f.stream().equals("welcome"))
                    .map(Frame::previous)
                    .toList();
        }
    }

    private final RecordingSink sink = new RecordingSink();
    private final Subscriber subscriber = new Subscriber("a", sink);

    private static Publication publication(String stream, String epoch, long offset) {
        return new Publication(stream, epoch, offset, Message.ofText("m" + offset), Set.of(), 0);
    }

    private static Publication publication(long offset) {
        return publication(STREAM, EPOCH, offset);
    }

    private static Publication keyed(long offset, String key) {
        return new Publication(
                STREAM,
                EPOCH,
                offset,
                Message.ofUtf8(("m" + offset).getBytes(), new dev.herald.core.PushOptions(0, null, key)),
                Set.of(),
                0);
    }

    private static Publication excluding(String uid, long offset) {
        return new Publication(STREAM, EPOCH, offset, Message.ofText("m" + offset), Set.of(uid), 0);
    }

    /** The answer for {@link #STREAM} at {@link #EPOCH}, top {@code top}, to a client at {@code since}, keeping {@code from..top}. */
    private static Recovery answer(long since, long top, long from) {
        List<Publication> kept = LongStream.rangeClosed(from, top)
                .mapToObj(SubscriberTest::publication)
                .toList();
        return Recovery.decide(STREAM, new StreamPosition(EPOCH, since), new HistoryWindow(EPOCH, top, from - 1, kept));
    }

    @Test
    void whatArrivesBeforeTheResumeIsHeldAndWrittenAfterTheReplayWithoutDuplicates() {
        assertThat(subscriber.offer(publication(5))).isTrue();
        assertThat(subscriber.offer(publication(6))).isTrue();
        assertThat(subscriber.offer(publication("g:room", "r1", 3))).isTrue();
        assertThat(subscriber.offer(publication(7))).isTrue();
        assertThat(sink.frames()).as("nothing before the resume").isEmpty();

        Recovery recovered = answer(3, 5, 4);
        subscriber.resume(List.of(recovered));

        assertThat(sink.welcomes).containsExactly(List.of(recovered));
        assertThat(sink.frames())
                .containsExactly(
                        new Frame("welcome", null, 0, 0),
                        new Frame(STREAM, EPOCH, 4, 3),
                        new Frame(STREAM, EPOCH, 5, 4),
                        new Frame(STREAM, EPOCH, 6, 5),
                        new Frame("g:room", "r1", 3, 0),
                        new Frame(STREAM, EPOCH, 7, 6));
        assertThat(subscriber.positions())
                .containsEntry(STREAM, new StreamPosition(EPOCH, 7))
                .containsEntry("g:room", new StreamPosition("r1", 3));
    }

    @Test
    void aPublicationAlreadySentIsNotSentAgainAfterTheResume() {
        subscriber.resume(List.of(answer(3, 5, 4)));

        assertThat(subscriber.offer(publication(5))).as("had it already").isTrue();
        assertThat(subscriber.offer(publication(4))).isTrue();

        assertThat(sink.offsets()).containsExactly(4L, 5L);
    }

    @Test
    void everyFrameNamesThePreviousOffsetFromTheRecoveredPositionOn() {
        Recovery recovered = answer(17, 19, 18);
        assertThat(recovered.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(recovered.from()).isEqualTo(17);

        subscriber.resume(List.of(recovered));
        subscriber.offer(publication(20));

        assertThat(sink.offsets()).containsExactly(18L, 19L, 20L);
        assertThat(sink.previous()).containsExactly(17L, 18L, 19L);
    }

    @Test
    void afterAGapTheChainGoesOnFromTheClientsPosition() {
        Recovery gap = answer(2, 9, 6);
        assertThat(gap.kind()).isEqualTo(Kind.GAP);
        assertThat(gap.missed()).containsExactly(new Recovery.Range(3, 5));

        subscriber.resume(List.of(gap));

        assertThat(sink.offsets()).containsExactly(6L, 7L, 8L, 9L);
        assertThat(sink.previous()).as("the welcome announced 3..5").containsExactly(2L, 6L, 7L, 8L);
    }

    @Test
    void aNewClientStartsAtTheTopWithoutReplay() {
        Recovery fresh = Recovery.decide(STREAM, null, new HistoryWindow(EPOCH, 9, 9, List.of()));

        subscriber.resume(List.of(fresh));
        subscriber.offer(publication(9));
        subscriber.offer(publication(10));

        assertThat(sink.offsets()).containsExactly(10L);
        assertThat(sink.previous()).containsExactly(9L);
    }

    @Test
    void aLiveEpochChangeStartsTheStreamOverWithPreviousZero() {
        subscriber.resume(List.of(answer(5, 5, 6)));

        subscriber.offer(publication(6));
        subscriber.offer(publication(STREAM, "e2", 1));
        subscriber.offer(publication(STREAM, "e2", 2));

        assertThat(sink.frames())
                .containsExactly(
                        new Frame("welcome", null, 0, 0),
                        new Frame(STREAM, EPOCH, 6, 5),
                        new Frame(STREAM, "e2", 1, 0),
                        new Frame(STREAM, "e2", 2, 1));
        assertThat(subscriber.positions()).containsEntry(STREAM, new StreamPosition("e2", 2));
    }

    @Test
    void aLateDeliveryOfTheEpochItLeftIsDropped() {
        subscriber.resume(List.of(answer(5, 5, 6)));

        subscriber.offer(publication(STREAM, "e2", 1)); // the new epoch's first, racing the old one's last
        subscriber.offer(publication(6));
        subscriber.offer(publication(STREAM, "e2", 2));

        assertThat(sink.frames())
                .containsExactly(
                        new Frame("welcome", null, 0, 0), new Frame(STREAM, "e2", 1, 0), new Frame(STREAM, "e2", 2, 1));
    }

    @Test
    void heldPublicationsOfAnEpochOlderThanTheAnswerAreDropped() {
        // Held while the resume ran: the old epoch's last, then the new epoch's first; the store was
        // read after the stream lost its history, so the answer is a reset into the new epoch.
        subscriber.offer(publication(STREAM, EPOCH, 5));
        Publication first = publication(STREAM, "e2", 1);
        subscriber.offer(first);
        Recovery reset =
                Recovery.decide(STREAM, new StreamPosition(EPOCH, 4), new HistoryWindow("e2", 1, 0, List.of(first)));

        subscriber.resume(List.of(reset));

        assertThat(sink.frames()).containsExactly(new Frame("welcome", null, 0, 0), new Frame(STREAM, "e2", 1, 0));
        subscriber.offer(publication(STREAM, "e2", 2));
        assertThat(sink.frames()).endsWith(new Frame(STREAM, "e2", 2, 1));
    }

    @Test
    void aFirstPublicationOnAStreamWithoutAnswerNamesPreviousZero() {
        subscriber.resume(List.of());

        subscriber.offer(publication("g:room", "r1", 41));
        subscriber.offer(publication("g:room", "r1", 42));

        assertThat(sink.previous()).containsExactly(0L, 41L);
    }

    @Test
    void aStreamWithoutPositionGetsNoCursorFromItsAnswer() {
        Recovery unknown = Recovery.decide(STREAM, new StreamPosition(EPOCH, 3), HistoryWindow.UNKNOWN);

        subscriber.resume(List.of(unknown));
        subscriber.offer(publication(STREAM, "e9", 1));

        assertThat(sink.frames()).endsWith(new Frame(STREAM, "e9", 1, 0));
    }

    @Test
    void anExcludedUidIsNotWrittenAndTheChainSkipsIt() {
        subscriber.resume(List.of(answer(5, 5, 6)));

        assertThat(subscriber.offer(excluding("a", 6)))
                .as("not for this connection")
                .isFalse();
        assertThat(subscriber.offer(excluding("someone-else", 7))).isTrue();

        assertThat(sink.offsets()).containsExactly(7L);
        assertThat(sink.previous()).containsExactly(5L);
    }

    @Test
    void anExcludedUidIsLeftOutOfReplaysAndHeldPublicationsToo() {
        List<Publication> kept = List.of(excluding("a", 4), publication(5));
        Recovery recovered =
                Recovery.decide(STREAM, new StreamPosition(EPOCH, 3), new HistoryWindow(EPOCH, 5, 0, kept));
        subscriber.offer(excluding("a", 6));
        subscriber.offer(publication(7));

        subscriber.resume(List.of(recovered));

        assertThat(sink.offsets()).containsExactly(5L, 7L);
        assertThat(sink.previous()).containsExactly(3L, 5L);
    }

    @Test
    void tooMuchHeldBeforeTheResumeOverflowsOnce() {
        for (int i = 1; i <= Subscriber.MAX_HELD; i++) {
            assertThat(subscriber.offer(publication(i))).isTrue();
        }
        assertThat(sink.overflows).isZero();

        assertThat(subscriber.offer(publication(Subscriber.MAX_HELD + 1))).isFalse();
        assertThat(subscriber.offer(publication(Subscriber.MAX_HELD + 2))).isFalse();

        assertThat(sink.overflows).isEqualTo(1);
        subscriber.resume(List.of(answer(0, 0, 1)));
        assertThat(sink.offsets())
                .as("what was held is dropped with the connection")
                .isEmpty();
    }

    @Test
    void resumingTwiceIsRefused() {
        subscriber.resume(List.of());

        assertThatIllegalStateException().isThrownBy(() -> subscriber.resume(List.of()));
    }

    /**
     * A writer appends while the connection is bound, its history read and the subscriber resumed, as a
     * hub and a transport do: the client gets every message once, in order, with an unbroken chain.
     */
    @Test
    void aResumeWhileMessagesKeepComingMissesNothingAndRepeatsNothing() throws Exception {
        int messages = 10_000;
        HistoryConfig config = new HistoryConfig(
                20_000,
                Duration.ofHours(1),
                HistoryConfig.DEFAULT_MAX_BYTES,
                List.of(),
                false,
                1000,
                1000,
                Duration.ofHours(1));
        MemoryStreamStore store = new MemoryStreamStore(config);
        String epoch = store.append(STREAM, Message.ofText("first"), Set.of(), null, (p, c) -> p)
                .epoch();
        AtomicBoolean bound = new AtomicBoolean();
        StreamStore.Delivery<Subscriber, Void> hub = (publication, to) -> {
            if (bound.get()) {
                to.offer(publication);
            }
            return null;
        };
        CountDownLatch underWay = new CountDownLatch(1);
        CountDownLatch binding = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(
                () -> {
                    try {
                        for (int i = 1; i <= messages; i++) {
                            store.append(STREAM, Message.ofText("m" + i), Set.of(), subscriber, hub);
                            if (i == messages / 5) {
                                // Keep writing only once the bind starts, so that the read and resume overlap the
                                // appends.
                                underWay.countDown();
                                binding.await(10, TimeUnit.SECONDS);
                            }
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                        underWay.countDown();
                    }
                },
                "writer");
        writer.start();

        assertThat(underWay.await(10, TimeUnit.SECONDS)).isTrue();
        bound.set(true);
        binding.countDown();
        StreamPosition since = new StreamPosition(epoch, 0);
        Recovery answer = Recovery.decide(STREAM, since, store.read(STREAM, since, config.size()));
        subscriber.resume(List.of(answer));
        writer.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(writer.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(answer.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(sink.overflows).isZero();
        List<Long> offsets = sink.offsets();
        assertThat(offsets).hasSize(messages + 1);
        assertThat(offsets)
                .isEqualTo(LongStream.rangeClosed(1, messages + 1).boxed().toList());
        assertThat(sink.previous())
                .isEqualTo(LongStream.rangeClosed(0, messages).boxed().toList());
        assertThat(subscriber.positions()).containsEntry(STREAM, new StreamPosition(epoch, messages + 1));
    }

    @Test
    void whileCongestedAKeyedMessageWaitsAndANewerOneOfTheSameKeyReplacesIt() {
        subscriber.resume(List.of(answer(1, 1, 2)));
        sink.congested = true;

        assertThat(subscriber.offer(keyed(2, "progress"))).isTrue();
        assertThat(subscriber.offer(keyed(3, "progress"))).isTrue();
        assertThat(subscriber.offer(publication(4)))
                .as("unkeyed waits behind them, in order")
                .isTrue();
        assertThat(subscriber.offer(keyed(5, "progress"))).isTrue();
        assertThat(sink.offsets()).as("nothing written while congested").isEmpty();

        sink.congested = false;
        subscriber.drain();

        assertThat(sink.offsets()).containsExactly(4L, 5L);
        assertThat(sink.previous()).as("the chain skips what was replaced").containsExactly(1L, 4L);
        assertThat(sink.conflated).isEqualTo(2);
        subscriber.offer(publication(6));
        assertThat(sink.offsets()).endsWith(6L);
    }

    @Test
    void anUnkeyedMessageWhileCongestedAndNothingWaitsIsWrittenAsBefore() {
        subscriber.resume(List.of(answer(1, 1, 2)));
        sink.congested = true;

        subscriber.offer(publication(2));

        assertThat(sink.offsets())
                .as("the transport decides (a full queue closes as slow)")
                .containsExactly(2L);
    }

    @Test
    void tooMuchWaitingClosesTheConnectionAsSlow() {
        subscriber.resume(List.of(answer(1, 1, 2)));
        sink.congested = true;
        sink.maxParkedBytes = 3; // two messages of 2 bytes

        subscriber.offer(keyed(2, "a"));
        subscriber.offer(keyed(3, "b"));

        assertThat(sink.overflows).isEqualTo(1);
    }

    @Test
    void aMessageParkedJustAsTheCongestionEndedIsNotLeftBehind() {
        subscriber.resume(List.of(answer(1, 1, 2)));
        sink.congested = true;
        subscriber.offer(keyed(2, "a"));
        sink.congested = false; // the transport's drain ran before the next park, on another thread
        subscriber.drain();
        sink.congested = true;
        subscriber.offer(keyed(3, "a"));
        sink.congested = false;

        subscriber.offer(keyed(4, "b")); // parks (3 waits) and, no longer congested, drains at once

        assertThat(sink.offsets()).containsExactly(2L, 3L, 4L);
    }
}

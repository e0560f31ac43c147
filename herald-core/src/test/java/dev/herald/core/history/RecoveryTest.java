package dev.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Message;
import dev.herald.core.history.Recovery.Kind;
import dev.herald.core.history.Recovery.Range;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Every answer a resume can get, decided from a client's position and what the store read. */
class RecoveryTest {

    private static final String STREAM = "u:a";
    private static final String EPOCH = "e1";

    private static Publication publication(String epoch, long offset) {
        return new Publication(STREAM, epoch, offset, Message.ofText("m" + offset), Set.of(), 0);
    }

    /** The stream at {@link #EPOCH}, last offset {@code top}, keeping {@code from..to}, trimmed before {@code from}. */
    private static HistoryWindow window(long top, long from, long to) {
        List<Publication> kept = LongStream.rangeClosed(from, to)
                .mapToObj(offset -> publication(EPOCH, offset))
                .toList();
        return new HistoryWindow(EPOCH, top, from - 1, kept);
    }

    private static StreamPosition at(long offset) {
        return new StreamPosition(EPOCH, offset);
    }

    private static List<Long> offsets(Recovery recovery) {
        return recovery.replay().stream().map(Publication::offset).toList();
    }

    @Test
    void aClientWithoutPositionIsNewAndStartsAtTheTopWhenNothingWaits() {
        Recovery recovery = Recovery.decide(STREAM, null, new HistoryWindow(EPOCH, 9, 9, List.of()));

        assertThat(recovery.kind()).isEqualTo(Kind.NEW);
        assertThat(recovery.replay()).isEmpty();
        assertThat(recovery.missed()).isEmpty();
        assertThat(recovery.epoch()).isEqualTo(EPOCH);
        assertThat(recovery.top()).isEqualTo(9);
        assertThat(recovery.from()).isEqualTo(9);
    }

    @Test
    void aNewClientGetsWhatWaitsForItWithTheChainStartingBeforeTheFirst() {
        // A read of the inbox for a client without position: what waits, here 5 and 8.
        List<Publication> waiting = List.of(publication(EPOCH, 5), publication(EPOCH, 8));
        Recovery recovery = Recovery.decide(STREAM, null, new HistoryWindow(EPOCH, 9, 9, waiting));

        assertThat(recovery.kind()).isEqualTo(Kind.NEW);
        assertThat(offsets(recovery)).containsExactly(5L, 8L);
        assertThat(recovery.from()).isEqualTo(4);
        assertThat(recovery.missed()).isEmpty();
    }

    @Test
    void aPositionInAStreamThatIsNotKnownIsAReset() {
        Recovery recovery = Recovery.decide(STREAM, at(3), HistoryWindow.UNKNOWN);

        assertThat(recovery.kind()).isEqualTo(Kind.RESET);
        assertThat(recovery.epoch()).isNull();
        assertThat(recovery.from()).isZero();
        assertThat(recovery.replay()).isEmpty();
        assertThat(recovery.missed()).isEmpty();
    }

    @Test
    void anotherEpochIsAResetThatReplaysAllKeptAndNamesWhatOfTheNewEpochIsGone() {
        Recovery recovery = Recovery.decide(STREAM, new StreamPosition("old", 40), window(12, 8, 12));

        assertThat(recovery.kind()).isEqualTo(Kind.RESET);
        assertThat(recovery.epoch()).isEqualTo(EPOCH);
        assertThat(offsets(recovery)).containsExactly(8L, 9L, 10L, 11L, 12L);
        assertThat(recovery.from()).as("nothing of the new epoch is held").isZero();
        assertThat(recovery.missed()).containsExactly(new Range(1, 7));
    }

    @Test
    void aResetIntoAStreamWithNothingLostNamesNothingMissed() {
        Recovery recovery = Recovery.decide(STREAM, new StreamPosition("old", 3), window(2, 1, 2));

        assertThat(recovery.kind()).isEqualTo(Kind.RESET);
        assertThat(recovery.missed()).isEmpty();
        assertThat(offsets(recovery)).containsExactly(1L, 2L);
    }

    @Test
    void anOffsetPastTheTopInTheSameEpochIsAReset() {
        Recovery recovery = Recovery.decide(STREAM, at(11), window(9, 1, 9));

        assertThat(recovery.kind()).isEqualTo(Kind.RESET);
        assertThat(offsets(recovery)).hasSize(9);
        assertThat(recovery.from()).isZero();
    }

    @Test
    void aClientAtTheTopIsRecoveredWithNothingToReplay() {
        Recovery recovery = Recovery.decide(STREAM, at(9), new HistoryWindow(EPOCH, 9, 4, List.of()));

        assertThat(recovery.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(recovery.replay()).isEmpty();
        assertThat(recovery.missed()).isEmpty();
        assertThat(recovery.from()).isEqualTo(9);
    }

    @Test
    void whenEverythingMissedIsKeptExactlyThatIsReplayed() {
        Recovery recovery = Recovery.decide(STREAM, at(6), window(9, 7, 9));

        assertThat(recovery.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(offsets(recovery)).containsExactly(7L, 8L, 9L);
        assertThat(recovery.from()).isEqualTo(6);
    }

    @Test
    void whenTheOldestMissedAreGoneTheExactRangeIsNamedAndTheRestReplayed() {
        Recovery recovery = Recovery.decide(STREAM, at(2), window(9, 6, 9));

        assertThat(recovery.kind()).isEqualTo(Kind.GAP);
        assertThat(recovery.missed()).containsExactly(new Range(3, 5));
        assertThat(offsets(recovery)).containsExactly(6L, 7L, 8L, 9L);
        assertThat(recovery.from())
                .as("the chain goes on from the client's offset")
                .isEqualTo(2);
    }

    @Test
    void aStreamThatKeepsNothingNamesAllThatWasMissed() {
        Recovery recovery = Recovery.decide(STREAM, at(3), new HistoryWindow(EPOCH, 7, 7, List.of()));

        assertThat(recovery.kind()).isEqualTo(Kind.GAP);
        assertThat(recovery.missed()).containsExactly(new Range(4, 7));
        assertThat(recovery.replay()).isEmpty();
    }

    @Test
    void keptMessagesBetweenLostOnesLeaveSeveralRanges() {
        // Kept: 5 and 9 (they outlived the others), then 12..13; everything up to 11 was trimmed.
        List<Publication> kept =
                List.of(publication(EPOCH, 5), publication(EPOCH, 9), publication(EPOCH, 12), publication(EPOCH, 13));
        Recovery recovery = Recovery.decide(STREAM, at(2), new HistoryWindow(EPOCH, 13, 11, kept));

        assertThat(recovery.kind()).isEqualTo(Kind.GAP);
        assertThat(recovery.missed()).containsExactly(new Range(3, 4), new Range(6, 8), new Range(10, 11));
        assertThat(offsets(recovery)).containsExactly(5L, 9L, 12L, 13L);
    }

    @Test
    void holesAfterTheTrimPointAreNotLosses() {
        // 8 is not kept but history never dropped it (a later message replaced it): not missed.
        List<Publication> kept = List.of(publication(EPOCH, 7), publication(EPOCH, 9));
        Recovery recovery = Recovery.decide(STREAM, at(6), new HistoryWindow(EPOCH, 9, 0, kept));

        assertThat(recovery.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(offsets(recovery)).containsExactly(7L, 9L);
    }

    @Test
    void aOneMessageGapIsARangeOfOne() {
        Recovery recovery = Recovery.decide(STREAM, at(4), window(9, 6, 9));

        assertThat(recovery.missed()).containsExactly(new Range(5, 5));
    }

    @Test
    void aStoreReadCutByTheReplayLimitIsAGapUpToWhatIsReplayed() {
        MemoryStreamStore store = new MemoryStreamStore(new HistoryConfig(
                100, Duration.ofMinutes(5), 1 << 20, List.of(), false, 1000, 1000, Duration.ofHours(1)));
        StreamPosition start = null;
        for (int i = 1; i <= 20; i++) {
            Publication publication = store.append(STREAM, Message.ofText("m" + i), Set.of(), null, (p, c) -> p);
            if (i == 3) {
                start = publication.position();
            }
        }

        Recovery recovery = Recovery.decide(STREAM, start, store.read(STREAM, start, 5));

        assertThat(recovery.kind()).isEqualTo(Kind.GAP);
        assertThat(recovery.missed()).containsExactly(new Range(4, 15));
        assertThat(offsets(recovery)).containsExactly(16L, 17L, 18L, 19L, 20L);
    }

    @Test
    void offsetZeroOnAnEmptyStreamIsRecovered() {
        Recovery recovery = Recovery.decide(STREAM, at(0), new HistoryWindow(EPOCH, 0, 0, List.of()));

        assertThat(recovery.kind()).isEqualTo(Kind.RECOVERED);
        assertThat(recovery.missed()).isEmpty();
    }

    @Test
    void rangesRefuseWhatIsNotARange() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Range(0, 3))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Range(5, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

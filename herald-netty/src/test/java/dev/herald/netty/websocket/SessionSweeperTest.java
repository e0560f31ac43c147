package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionSweeperTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        loop.finishAndReleaseAll();
    }

    @Test
    void thePingBudgetIsTwiceTheAveragePaceWithAFloor() {
        assertThat(SessionSweeper.pingBudget(10_000, 50, 25_000)).isEqualTo(41);
        assertThat(SessionSweeper.pingBudget(100, 250, 25_000)).isEqualTo(SessionSweeper.MIN_PINGS_PER_SWEEP);
        assertThat(SessionSweeper.pingBudget(0, 250, 25_000)).isEqualTo(SessionSweeper.MIN_PINGS_PER_SWEEP);
    }

    /** Every connection is visited once per interval, a slice per tick, and pinged once. */
    @Test
    void aCrowdThatFellSilentTogetherIsPingedOverSeveralSweeps() {
        SessionSweeper sweeper = new SessionSweeper(loop.eventLoop(), WebSocketConfig::defaults);
        int crowd = 3 * SessionSweeper.MIN_PINGS_PER_SWEEP + 5;
        for (int i = 0; i < crowd; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            channels.add(channel);
            WebSocketSession session = new WebSocketSession(channel, new WebSocketStats(), 0, sweeper.outbox());
            session.handshaken(channel, WebSocketFrames.TEXT);
            session.bound = true; // and silent since the clock's start: long due for a ping
            sweeper.add(session);
        }

        List<Integer> pinged = new ArrayList<>();
        for (int interval = 0; interval < 5; interval++) {
            for (int tick = 0; tick < SessionSweeper.SLICES; tick++) {
                sweeper.sweep();
            }
            pinged.add(pings());
        }

        // Each tick visits a fifth of the crowd (11 of 53), fewer than a tick's budget: all pinged in
        // one interval, a fifth at a time, and never twice.
        assertThat(pinged).containsExactly(crowd, crowd, crowd, crowd, crowd);
    }

    /** Pings written so far, over all the connections; each connection is pinged at most once. */
    private int pings() {
        int pings = 0;
        for (EmbeddedChannel channel : channels) {
            int own = 0;
            for (Object frame : channel.outboundMessages()) {
                ByteBuf bytes = (ByteBuf) frame;
                if ((bytes.getByte(bytes.readerIndex()) & 0xFF) == 0x89) {
                    own++;
                }
            }
            assertThat(own).isLessThanOrEqualTo(1);
            pings += own;
        }
        return pings;
    }

    /** A crowd larger than the budget is pinged over several ticks, each of them once. */
    @Test
    void aCrowdThatFellSilentTogetherIsPingedAtTheBudgetsPace() {
        SessionSweeper sweeper = new SessionSweeper(loop.eventLoop(), WebSocketConfig::defaults);
        int crowd = 500; // a tick visits 100, and may ping 16
        for (int i = 0; i < crowd; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            channels.add(channel);
            WebSocketSession session = new WebSocketSession(channel, new WebSocketStats(), 0, sweeper.outbox());
            session.handshaken(channel, WebSocketFrames.TEXT);
            session.bound = true;
            sweeper.add(session);
        }
        List<Integer> pinged = new ArrayList<>();
        for (int tick = 0; tick < 3; tick++) {
            sweeper.sweep();
            pinged.add(pings());
        }
        int budget = SessionSweeper.MIN_PINGS_PER_SWEEP;
        assertThat(pinged).containsExactly(budget, 2 * budget, 3 * budget);
        for (int tick = 0; tick < 200; tick++) {
            sweeper.sweep();
        }
        assertThat(pings()).isEqualTo(crowd);
    }
}

package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopLagTest {

    @Test
    void aLoopHeldUpByATaskShowsTheStall() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            LoopLag lag = LoopLag.watch(group);
            Thread.sleep(3 * LoopLag.PERIOD_MILLIS);
            assertThat(lag.maxNanos()).as("ticks of an idle loop").isLessThan(TimeUnit.MILLISECONDS.toNanos(300));

            group.next().execute(() -> sleep(400));

            // The tick due during the 400 ms task runs after it: at least 350 ms late.
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(lag.maxNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(350)));
            assertThat(lag.recentMaxNanos()).isEqualTo(lag.maxNanos());
            assertThat(lag.lateNanos()).isGreaterThanOrEqualTo(lag.maxNanos());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

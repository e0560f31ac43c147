package dev.herald.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.Optional;

/**
 * An address of this machine that is not loopback, to connect from and to, so that a server listening
 * on {@code 0.0.0.0} sees a non-loopback client. The traffic stays on this machine.
 */
final class NonLoopback {

    static final String NONE = "this machine has no non-loopback address (no network interface up): skipped";

    private NonLoopback() {}

    /** An IPv4 address if there is one, else a global IPv6 one; link-local addresses need a scope, so not those. */
    static Optional<InetAddress> address() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(NonLoopback::isUp)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
                    .min(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private static boolean isUp(NetworkInterface network) {
        try {
            return network.isUp() && !network.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}

package dev.herald.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Local addresses that client connections bind before connecting: {@code perSource} connections on
 * the first address (127.0.0.2 by default), the next ones on the following address, and so on, so a
 * run is never limited by one address's ephemeral ports. The port is left to the kernel. Loopback
 * (127.0.0.0/8) only. Thread-safe.
 */
final class SourceAddresses {

    private final int first;
    private final int perSource;
    private int handedOut;

    SourceAddresses(String firstAddress, int perSource) {
        InetAddress address;
        try {
            address = InetAddress.getByName(firstAddress);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + firstAddress, e);
        }
        if (!(address instanceof Inet4Address) || !address.isLoopbackAddress()) {
            throw new IllegalArgumentException("source addresses must be IPv4 loopback (127.x.y.z): " + firstAddress);
        }
        if (perSource < 1) {
            throw new IllegalArgumentException("connections per source address must be at least 1");
        }
        byte[] b = address.getAddress();
        this.first = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        this.perSource = perSource;
    }

    /** The address for the next connection. */
    synchronized InetSocketAddress next() {
        InetSocketAddress address = new InetSocketAddress(address(handedOut / perSource), 0);
        handedOut++;
        return address;
    }

    /** How many distinct addresses {@code connections} connections use. */
    int addressesFor(int connections) {
        return (connections + perSource - 1) / perSource;
    }

    /** The {@code index}-th source address (0 is the first). */
    InetAddress address(int index) {
        int ip = first + index;
        if ((ip >>> 24) != 127 || ip == 0x7FFFFFFF) {
            throw new IllegalStateException("ran out of loopback source addresses after " + index);
        }
        try {
            return InetAddress.getByAddress(
                    new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

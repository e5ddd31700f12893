package mmo.server.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * The game connections' traffic since start: WebSocket messages and their bytes, in and out.
 * Counted where frames are decoded (event loops), appended by the tick (summed per connection
 * and added once per flush) and handed to the socket (event loops); read by the metrics at
 * scrape time. Adders, so that many threads count without contending. Any thread.
 *
 * <p>Bytes in are the messages' payloads; bytes out are whole frames (header and payload) as
 * written to the socket, TLS not included.
 */
public final class NetTraffic {
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();

    void received(int bytes) {
        messagesIn.increment();
        bytesIn.add(bytes);
    }

    void sentMessages(int n) {
        messagesOut.add(n);
    }

    void sentBytes(long bytes) {
        bytesOut.add(bytes);
    }

    public long messagesIn() { return messagesIn.sum(); }
    public long bytesIn() { return bytesIn.sum(); }
    public long messagesOut() { return messagesOut.sum(); }
    public long bytesOut() { return bytesOut.sum(); }
}

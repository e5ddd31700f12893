package mmo.server.cluster;

import mmo.server.cluster.ClusterGame.FrameBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frames one node sends a gateway node per tick. A world with many players encodes its
 * viewers on several threads, and each adds its viewers' frames to the same batch: every frame
 * must come out whole (before the batch took a lock, frames interleaved under a 300-bot load and
 * the gateway read "truncated frame batch", its clients undecodable messages).
 */
class FrameBatchTest {

    @Test
    void framesAddedFromSeveralThreadsComeOutWhole() throws Exception {
        FrameBatch batch = new FrameBatch();
        int threads = 4, perThread = 5_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    long id = (long) thread * perThread + i;
                    byte[] frame = frame(id);
                    batch.add(id, frame, 0, frame.length);
                }
            }));
        }
        go.countDown();
        for (Thread t : started) t.join();

        byte[] payload = batch.drain();
        Map<Long, byte[]> seen = new HashMap<>();
        FrameBatch.forEach(payload, (id, bytes, offset, length, chat) ->
                seen.put(id, java.util.Arrays.copyOfRange(bytes, offset, offset + length)));
        assertThat(seen).hasSize(threads * perThread);
        for (Map.Entry<Long, byte[]> e : seen.entrySet()) assertThat(e.getValue()).isEqualTo(frame(e.getKey()));
        assertThat(batch.drain()).as("drained: empty until the next add").isNull();
    }

    /** Chat lines come out marked (the gateway decodes only those, for its clients' ignore lists); the rest do not. */
    @Test
    void chatFramesComeOutMarkedAndWhole() {
        FrameBatch batch = new FrameBatch();
        for (long id = 1; id <= 6; id++) {
            byte[] frame = frame(id);
            batch.add(id, frame, 0, frame.length, id % 2 == 0);
        }
        List<Long> chat = new ArrayList<>(), other = new ArrayList<>();
        FrameBatch.forEach(batch.drain(), (id, bytes, offset, length, isChat) -> {
            assertThat(java.util.Arrays.copyOfRange(bytes, offset, offset + length)).isEqualTo(frame(id));
            (isChat ? chat : other).add(id);
        });
        assertThat(chat).containsExactly(2L, 4L, 6L);
        assertThat(other).containsExactly(1L, 3L, 5L);
    }

    /** A frame whose length and bytes depend on its character id. */
    private static byte[] frame(long id) {
        byte[] b = new byte[1 + (int) (id % 40)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (id * 31 + i);
        return b;
    }
}

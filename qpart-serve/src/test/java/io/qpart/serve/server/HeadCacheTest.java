package io.qpart.serve.server;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The head cache on synthetic heads: bound in bytes, LRU eviction, rebuild by id, one build per key. */
class HeadCacheTest {
    static HeadCache.Key key(int cut) {
        return new HeadCache.Key("m", cut, Map.of("w", 4));
    }

    static HeadCache.Head head(HeadCache.Key k, int size) {
        return new HeadCache.Head(String.format("%064x", k.cut()), new byte[size]);
    }

    @Test
    void staysWithinItsBoundAndEvictsTheLeastRecentlyUsed() {
        AtomicInteger builds = new AtomicInteger();
        HeadCache c = new HeadCache(250, k -> {
            builds.incrementAndGet();
            return head(k, 100);
        });
        c.get(key(1));
        c.get(key(2));
        c.get(key(1)); // 1 is now the most recent
        c.get(key(3)); // evicts 2
        assertThat(c.bytes()).isEqualTo(200).isLessThanOrEqualTo(c.capacityBytes());
        assertThat(c.entries()).isEqualTo(2);
        assertThat(c.evictions()).isEqualTo(1);
        assertThat(c.hits()).isEqualTo(1);
        assertThat(c.misses()).isEqualTo(3);
        c.get(key(1));
        assertThat(c.hits()).isEqualTo(2);
        assertThat(builds.get()).isEqualTo(3);
        // 2 was evicted but its id is remembered: asking by id rebuilds it
        assertThat(c.byId(String.format("%064x", 2))).isPresent();
        assertThat(builds.get()).isEqualTo(4);
        assertThat(c.byId("f".repeat(64))).isEmpty();
    }

    @Test
    void aHeadLargerThanTheBoundIsServedButNotKept() {
        HeadCache c = new HeadCache(50, k -> head(k, 100));
        assertThat(c.get(key(1)).bytes()).hasSize(100);
        assertThat(c.bytes()).isZero();
        assertThat(c.entries()).isZero();
        assertThat(c.keyOf(String.format("%064x", 1))).contains(key(1));
    }

    @Test
    void concurrentMissesOfOneKeyBuildOnce() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HeadCache c = new HeadCache(1000, k -> {
            builds.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return head(k, 10);
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HeadCache.Head> first = pool.submit(() -> c.get(key(1)));
            while (builds.get() == 0) {
                Thread.onSpinWait();
            }
            java.util.List<Future<HeadCache.Head>> others = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                others.add(pool.submit(() -> c.get(key(1))));
            }
            release.countDown();
            HeadCache.Head h = first.get();
            for (Future<HeadCache.Head> f : others) {
                assertThat(f.get()).isSameAs(h);
            }
        }
        assertThat(builds.get()).isEqualTo(1);
    }

    @Test
    void aFailedBuildIsReportedAndRetried() {
        AtomicInteger builds = new AtomicInteger();
        HeadCache c = new HeadCache(1000, k -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("disk on fire");
            }
            return head(k, 10);
        });
        assertThatThrownBy(() -> c.get(key(1))).hasMessage("disk on fire");
        assertThat(c.get(key(1)).bytes()).hasSize(10);
    }

    @Test
    void keysCompareByContentWhateverTheMapType() {
        java.util.LinkedHashMap<String, Integer> a = new java.util.LinkedHashMap<>();
        a.put("b", 2);
        a.put("a", 3);
        assertThat(new HeadCache.Key("m", 1, a)).isEqualTo(new HeadCache.Key("m", 1, Map.of("a", 3, "b", 2)));
        assertThatThrownBy(() -> new HeadCache.Key("m", -1, Map.of())).hasMessageContaining("cut must be >= 0");
    }
}

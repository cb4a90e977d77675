package io.qpart.serve.server;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Encoded head containers, built on demand and kept least-recently-used within a bound in bytes,
 * keyed by (model, cut, weight bits). The id of every head ever built is remembered with its key,
 * so an evicted head is rebuilt when it is asked for again. Concurrent requests for a head that is
 * being built wait for the one build. Thread-safe.
 */
public final class HeadCache {
    /** What a head is built from. */
    public record Key(String model, int cut, Map<String, Integer> bits) {
        public Key {
            Objects.requireNonNull(model, "model");
            if (cut < 0) {
                throw new IllegalArgumentException("cut must be >= 0, was " + cut);
            }
            bits = Collections.unmodifiableSortedMap(new TreeMap<>(bits));
        }
    }

    /** A built head: its id (SHA-256 of the container body) and the encoded container. */
    public record Head(String id, byte[] bytes) {
        public Head {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    private final long capacityBytes;
    private final Function<Key, Head> builder;
    private final LinkedHashMap<Key, Head> lru = new LinkedHashMap<>(16, 0.75f, true);
    private final ConcurrentHashMap<Key, CompletableFuture<Head>> building = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Key> ids = new ConcurrentHashMap<>();
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    public HeadCache(long capacityBytes, Function<Key, Head> builder) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0 bytes, was " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    /** The head for {@code key}, from the cache or built now. */
    public Head get(Key key) {
        synchronized (this) {
            Head h = lru.get(key);
            if (h != null) {
                hits.increment();
                return h;
            }
        }
        misses.increment();
        CompletableFuture<Head> mine = new CompletableFuture<>();
        CompletableFuture<Head> running = building.putIfAbsent(key, mine);
        if (running != null) {
            return join(running);
        }
        try {
            Head h;
            synchronized (this) {
                h = lru.get(key); // built by a request that finished between the lookup and now
            }
            if (h == null) {
                h = builder.apply(key);
            }
            ids.put(h.id(), key);
            put(key, h);
            mine.complete(h);
            return h;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            building.remove(key, mine);
        }
    }

    /** The head with this id, rebuilt if it was evicted; empty when no head with this id was ever built here. */
    public Optional<Head> byId(String id) {
        Key k = ids.get(id);
        return k == null ? Optional.empty() : Optional.of(get(k));
    }

    /** The key of a head id seen before. */
    public Optional<Key> keyOf(String id) {
        return Optional.ofNullable(ids.get(id));
    }

    /** Records that {@code id} is the head of {@code key} without building it (from an index made at startup). */
    public void remember(String id, Key key) {
        ids.putIfAbsent(id, key);
    }

    private synchronized void put(Key key, Head h) {
        long size = h.bytes().length;
        if (size > capacityBytes || lru.containsKey(key)) {
            return;
        }
        lru.put(key, h);
        bytes += size;
        for (Iterator<Map.Entry<Key, Head>> it = lru.entrySet().iterator(); bytes > capacityBytes && it.hasNext(); ) {
            Map.Entry<Key, Head> e = it.next();
            bytes -= e.getValue().bytes().length;
            it.remove();
            evictions.increment();
        }
    }

    private static Head join(CompletableFuture<Head> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a head was being built", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("building the head failed: " + e.getCause(), e.getCause());
        }
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int entries() {
        return lru.size();
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** Ids known (built or indexed). */
    public int knownIds() {
        return ids.size();
    }
}

package io.qpart.serve.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server listens and what it allows.
 *
 * @param host             address to bind ("127.0.0.1", "0.0.0.0", ...)
 * @param port             TCP port, 0 for a free one
 * @param headCacheBytes   bound of the head cache (encoded container bytes)
 * @param maxBodyBytes     largest request body accepted (413 beyond)
 * @param requestTimeout   a request that takes longer is answered 504
 * @param sessionThreads   ONNX Runtime intra-op threads of each tail session
 * @param eventLoops       event loops carrying the connections and running {@code /v1/infer}
 *                         tails inline, in rounds ({@link QpartServer}); 0 gives each connection a
 *                         virtual thread and the tails threads of their own
 */
public record ServerConfig(String host, int port, long headCacheBytes, long maxBodyBytes, Duration requestTimeout, int sessionThreads, int eventLoops) {
    public static final long DEFAULT_HEAD_CACHE_BYTES = 256L << 20;
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        if (headCacheBytes < 0) {
            throw new IllegalArgumentException("head cache bytes must be >= 0, was " + headCacheBytes);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max body bytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", was " + maxBodyBytes);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, was " + requestTimeout);
        }
        if (sessionThreads < 1) {
            throw new IllegalArgumentException("session threads must be >= 1, was " + sessionThreads);
        }
        if (eventLoops < 0 || eventLoops > 256) {
            throw new IllegalArgumentException("event loops must be in 0..256, was " + eventLoops);
        }
    }

    /** One event loop per processor. */
    public ServerConfig(String host, int port, long headCacheBytes, long maxBodyBytes, Duration requestTimeout, int sessionThreads) {
        this(host, port, headCacheBytes, maxBodyBytes, requestTimeout, sessionThreads, defaultEventLoops());
    }

    /** One per processor. */
    public static int defaultEventLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Loopback, a free port, the defaults. */
    public static ServerConfig loopback() {
        return new ServerConfig("127.0.0.1", 0, DEFAULT_HEAD_CACHE_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT, 1);
    }

    public ServerConfig withHeadCacheBytes(long bytes) {
        return new ServerConfig(host, port, bytes, maxBodyBytes, requestTimeout, sessionThreads, eventLoops);
    }

    public ServerConfig withMaxBodyBytes(long bytes) {
        return new ServerConfig(host, port, headCacheBytes, bytes, requestTimeout, sessionThreads, eventLoops);
    }

    public ServerConfig withRequestTimeout(Duration timeout) {
        return new ServerConfig(host, port, headCacheBytes, maxBodyBytes, timeout, sessionThreads, eventLoops);
    }

    public ServerConfig withEventLoops(int loops) {
        return new ServerConfig(host, port, headCacheBytes, maxBodyBytes, requestTimeout, sessionThreads, loops);
    }
}

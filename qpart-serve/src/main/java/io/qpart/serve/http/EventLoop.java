package io.qpart.serve.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop of an {@link Http1Server}: a platform thread with a selector over its share of
 * the connections. It reads requests without a thread per connection and answers those its
 * {@link InlineHandler} claims in rounds: every claimed request whose bytes were ready when the
 * selector woke is completed together, then every answer is written. A busy loop thus makes one
 * handler call per round and wakes no other thread, where a thread per connection costs a
 * hand-off and a wake-up per request.
 *
 * <p>Everything else goes to the server's blocking path on a virtual thread together with the
 * bytes read so far: a request the handler declines, chunked or {@code Expect} bodies,
 * {@code Connection: close}, HTTP/1.0, pipelined requests, a head or body larger than
 * {@link #MAX_INLINE_BYTES}, a body still arriving after its head (so that a stalled or abandoned
 * upload is timed and counted as on any request), anything that does not parse. That path
 * answers it as it answers any request (errors included) and hands the connection back to this
 * loop once it is idle again.
 */
final class EventLoop {
    /** Largest request (head and body) a loop holds in memory; larger ones go to the blocking path. */
    static final int MAX_INLINE_BYTES = 64 << 10;
    private static final int FIRST_BUFFER_BYTES = 2048;
    private static final long SWEEP_MILLIS = 100;

    private final Http1Server server;
    private final Http1Server.Limits limits;
    private final InlineHandler inline;
    private final Selector selector;
    private final ConcurrentLinkedQueue<SocketChannel> arrivals = new ConcurrentLinkedQueue<>();
    /** Connections this loop holds or has lent to the blocking path: what the acceptor balances. */
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread thread;
    private final List<Conn> round = new ArrayList<>();
    private final List<InlineCall> calls = new ArrayList<>();
    private final List<Conn> leaving = new ArrayList<>();
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private long lastSweep = System.nanoTime();
    private volatile boolean stopped;

    /** A connection the loop holds: the bytes of the request being read, or an answer still being written. */
    private static final class Conn {
        final SocketChannel channel;
        SelectionKey key;
        byte[] buf = new byte[FIRST_BUFFER_BYTES];
        int len;
        /** When the first byte of the request now being read arrived. */
        long started;
        long lastActive;
        InlineCall call;
        ByteBuffer pending;
        long pendingSince;

        Conn(SocketChannel channel, long now) {
            this.channel = channel;
            this.lastActive = now;
        }
    }

    EventLoop(Http1Server server, Http1Server.Limits limits, InlineHandler inline, String name) throws IOException {
        this.server = server;
        this.limits = limits;
        this.inline = inline;
        this.selector = Selector.open();
        this.readTimeoutNanos = limits.readTimeout().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Takes over a new connection, in non-blocking mode. */
    void add(SocketChannel channel) {
        connections.incrementAndGet();
        arrivals.add(channel);
        selector.wakeup();
    }

    /** Takes back a connection this loop lent to the blocking path, in non-blocking mode again. */
    void giveBack(SocketChannel channel) {
        arrivals.add(channel);
        selector.wakeup();
    }

    /** A connection this loop lent to the blocking path was closed there. */
    void lost() {
        connections.decrementAndGet();
    }

    int connections() {
        return connections.get();
    }

    /** Closes every connection the loop holds and ends its thread; waits for it up to {@code wait}. */
    void stop(Duration wait) {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!stopped) {
                selector.select(SWEEP_MILLIS);
                long now = System.nanoTime();
                for (SocketChannel c; (c = arrivals.poll()) != null;) {
                    register(c, now);
                }
                serveSelected(now);
                // requests that arrived while this round's were read join the round: one look
                // that does not wait, so a burst of requests written one after the other by the
                // other side becomes one tail call rather than several small ones
                if (!calls.isEmpty() && selector.selectNow() > 0) {
                    serveSelected(now);
                }
                if (!calls.isEmpty()) {
                    completeRound();
                }
                if (!leaving.isEmpty()) {
                    handOff();
                }
                if (now - lastSweep >= SWEEP_MILLIS * 1_000_000L) {
                    lastSweep = now;
                    sweep(now);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("qpart http: event loop " + thread.getName() + " stopped: " + e);
        } finally {
            for (SelectionKey k : selector.keys()) {
                close((Conn) k.attachment());
            }
            for (SocketChannel c; (c = arrivals.poll()) != null;) {
                connections.decrementAndGet();
                server.released(c);
            }
            try {
                selector.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    /** Flushes or reads every connection the selector found ready. */
    private void serveSelected(long now) {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            Conn c = (Conn) k.attachment();
            try {
                if (!k.isValid()) {
                    continue;
                }
                if (k.isWritable()) {
                    flush(c, now);
                } else if (k.isReadable()) {
                    read(c, now);
                }
            } catch (IOException | CancelledKeyException e) {
                close(c);
            } catch (RuntimeException e) {
                System.err.println("qpart http: closed a connection after an unexpected error: " + e);
                close(c); // one connection's fault must not stop the loop that carries the others
            }
        }
    }

    private void register(SocketChannel channel, long now) {
        Conn c = new Conn(channel, now);
        try {
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException | RuntimeException e) {
            connections.decrementAndGet();
            server.released(channel);
        }
    }

    /** Reads what the socket has (growing the buffer up to {@link #MAX_INLINE_BYTES}), then parses. */
    private void read(Conn c, long now) throws IOException {
        boolean any = false;
        while (true) {
            if (c.len == c.buf.length) {
                if (c.buf.length >= MAX_INLINE_BYTES) {
                    leave(c);
                    return;
                }
                c.buf = Arrays.copyOf(c.buf, Math.min(MAX_INLINE_BYTES, 2 * c.buf.length));
            }
            int n = c.channel.read(ByteBuffer.wrap(c.buf, c.len, c.buf.length - c.len));
            if (n < 0) {
                if (c.len > 0) {
                    leave(c); // a request cut off: the blocking path reads the end of it and counts it as abandoned
                } else {
                    close(c);
                }
                return;
            }
            if (n == 0) {
                break;
            }
            if (c.len == 0) {
                c.started = now;
            }
            c.len += n;
            any = true;
            if (c.len < c.buf.length) {
                break; // the socket had no more
            }
        }
        if (any) {
            c.lastActive = now;
            parse(c);
        }
    }

    /** Claims the buffered request once whole, waits for more of it, or sends it to the blocking path. */
    private void parse(Conn c) {
        if (c.buf[0] == '\r' || c.buf[0] == '\n') {
            leave(c); // empty lines before the request line: rare, left to the full parser
            return;
        }
        int headEnd = headEnd(c.buf, c.len);
        if (headEnd < 0) {
            if (c.len >= limits.maxHeadBytes()) {
                leave(c); // the blocking path answers 431
            }
            return;
        }
        RequestHead head;
        try {
            head = RequestHead.read(new ConnectionInput(new ByteArrayInputStream(c.buf, 0, headEnd), headEnd), limits.maxHeadBytes());
        } catch (IOException | HttpProblem e) {
            leave(c);
            return;
        }
        long declared = simpleLength(head);
        if (head == null || declared < 0 || headEnd + declared > MAX_INLINE_BYTES) {
            leave(c);
            return;
        }
        int total = headEnd + (int) declared;
        if (c.len < total) {
            leave(c); // a body still arriving: the blocking path waits for it under the request's timeout
            return;
        }
        if (c.len > total) {
            leave(c); // a pipelined request follows; the blocking path answers them in order
            return;
        }
        InlineCall call;
        try {
            call = inline.claim(head.method(), head.rawPath(), head.rawQuery(), Arrays.copyOfRange(c.buf, headEnd, total));
        } catch (RuntimeException e) {
            call = null;
        }
        if (call == null) {
            leave(c);
            return;
        }
        c.call = call;
        c.len = 0;
        if (c.buf.length > FIRST_BUFFER_BYTES) {
            c.buf = new byte[FIRST_BUFFER_BYTES];
        }
        round.add(c);
        calls.add(call);
    }

    /**
     * The body length of a request the loop may take: HTTP/1.1, one Content-Length, no
     * Transfer-Encoding, no Expect, no Connection: close; -1 for any other.
     */
    private static long simpleLength(RequestHead head) {
        if (head == null || head.minor() != 1 || head.header("transfer-encoding") != null || head.header("expect") != null
                || head.lists("connection", "close")) {
            return -1;
        }
        List<String> cl = head.headers("content-length");
        if (cl.size() > 1) {
            return -1;
        }
        if (cl.isEmpty()) {
            return 0;
        }
        String v = cl.get(0);
        if (v.isEmpty() || v.length() > 9) {
            return -1;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(v);
    }

    /** The index after the empty line ending the head (CRLF CRLF, or bare LFs), or -1. */
    static int headEnd(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] == '\n') {
                if (i + 1 < len && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private void completeRound() {
        try {
            inline.complete(calls);
        } catch (RuntimeException | Error e) {
            System.err.println("qpart http: inline handler failed: " + e);
        }
        for (Conn c : round) {
            InlineCall call = c.call;
            c.call = null;
            if (!call.answered()) {
                call.answer(500, limits.errorContentType(), Map.of("Cache-Control", "no-store"),
                        server.errors().render(500, "the request was not answered"));
            }
            byte[] all = Exchange.message(call.status(), server.date(), call.contentType(), call.headers(), null, call.content());
            try {
                send(c, ByteBuffer.wrap(all), System.nanoTime());
                call.written(call.status(), call.content().length);
            } catch (IOException | CancelledKeyException e) {
                call.written(499, 0);
                close(c);
            }
        }
        round.clear();
        calls.clear();
    }

    private void send(Conn c, ByteBuffer b, long now) throws IOException {
        c.channel.write(b);
        if (b.hasRemaining()) {
            c.pending = b;
            c.pendingSince = now;
            c.key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void flush(Conn c, long now) throws IOException {
        c.channel.write(c.pending);
        if (!c.pending.hasRemaining()) {
            c.pending = null;
            c.lastActive = now;
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void leave(Conn c) {
        if (!leaving.contains(c)) {
            leaving.add(c);
        }
    }

    /** Sends connections to the blocking path: off the selector first, then blocking again. */
    private void handOff() throws IOException {
        for (Conn c : leaving) {
            c.key.cancel();
        }
        selector.selectNow(); // completes the deregistration; what it finds ready waits for the next round
        for (Conn c : leaving) {
            byte[] prefix = Arrays.copyOf(c.buf, c.len);
            try {
                c.channel.configureBlocking(true);
            } catch (IOException | RuntimeException e) {
                connections.decrementAndGet();
                server.released(c.channel);
                continue;
            }
            server.serveOnThread(c.channel, prefix, this);
        }
        leaving.clear();
    }

    /** Closes connections whose request or answer stalled past the read timeout, and idle ones past the idle timeout. */
    private void sweep(long now) {
        for (SelectionKey k : selector.keys()) {
            Conn c = (Conn) k.attachment();
            if (!k.isValid() || leaving.contains(c)) {
                continue;
            }
            if (c.pending != null) {
                if (now - c.pendingSince > readTimeoutNanos) {
                    close(c);
                }
            } else if (c.len > 0) {
                if (now - c.started > readTimeoutNanos) {
                    byte[] body = server.errors().render(408, "the request did not arrive within " + limits.readTimeout().toMillis() + " ms");
                    byte[] all = Exchange.message(408, server.date(), limits.errorContentType(), Map.of("Cache-Control", "no-store"), "close", body);
                    try {
                        c.channel.write(ByteBuffer.wrap(all)); // best effort: the connection closes either way
                    } catch (IOException e) {
                        // the client is gone
                    }
                    close(c);
                }
            } else if (now - c.lastActive > idleTimeoutNanos) {
                close(c);
            }
        }
    }

    private void close(Conn c) {
        if (c == null || !c.channel.isOpen()) {
            return;
        }
        if (c.key != null) {
            c.key.cancel();
        }
        connections.decrementAndGet();
        server.released(c.channel);
    }
}

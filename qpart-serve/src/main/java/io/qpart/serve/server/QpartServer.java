package io.qpart.serve.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qpart.core.format.FormatException;
import io.qpart.core.format.Messages;
import io.qpart.core.table.Decision;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.HeadCodec;
import io.qpart.serve.http.Exchange;
import io.qpart.serve.http.Http1Server;
import io.qpart.serve.http.InlineCall;
import io.qpart.serve.http.InlineHandler;
import io.qpart.serve.http.MalformedBodyException;
import io.qpart.serve.json.DecisionJson;
import io.qpart.serve.json.Json;
import io.qpart.serve.json.Query;
import io.qpart.serve.protocol.Api;
import io.qpart.serve.protocol.CrossingTensor;
import io.qpart.serve.protocol.Frames;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

/**
 * The split-inference server (docs/protocol.md): HTTP/1.1 ({@link Http1Server}) with one virtual
 * thread per connection. {@code POST /v1/plan} decides a configuration from the model's table (SPEC §7)
 * and names its head; {@code GET /v1/heads/{id}} serves the immutable head container;
 * {@code POST /v1/infer?model=M&cut=K} runs the tail on activation frames (SPEC §1 step 3).
 * Every failure is answered with {@code {"error": "..."}}; nothing a client sends stops the server.
 */
public final class QpartServer implements AutoCloseable {
    /** Largest plan request body. */
    static final long MAX_PLAN_BYTES = 1 << 20;
    /** Request heads over this size are answered 431. */
    static final int MAX_HEAD_BYTES = 16 << 10;
    /** Open connections beyond this are answered 503. */
    static final int MAX_CONNECTIONS = 10_000;
    /** An idle persistent connection is closed after this. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, ServedModel> models;
    private final ServerConfig config;
    private volatile Http1Server http;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("qpart-watchdog").factory());
    private final ConcurrentHashMap<Outcome, Boolean> inFlight = new ConcurrentHashMap<>();
    private final HeadCache heads;
    private final Metrics metrics = new Metrics();
    private final ConcurrentHashMap<String, TailRuntime> tails = new ConcurrentHashMap<>();
    private final Thread indexer;
    private volatile boolean ready;
    private volatile boolean closed;

    private record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, Object value) {
            return new Response(status, Api.JSON, Json.compact(value), Map.of());
        }

        static Response error(int status, String message) {
            return json(status, Map.of("error", Messages.oneLine(message)));
        }
    }

    /** The client went away while its request was read. */
    private static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private QpartServer(List<ServedModel> served, ServerConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        Map<String, ServedModel> m = new LinkedHashMap<>();
        for (ServedModel s : served) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("two models are called '" + s.name() + "'");
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("a server needs at least one model");
        }
        this.models = Map.copyOf(m);
        long sweepNanos = Math.max(1_000_000L, Math.min(1_000_000_000L, config.requestTimeout().toNanos() / 10));
        timer.scheduleWithFixedDelay(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
        this.heads = new HeadCache(config.headCacheBytes(), this::buildHead);
        this.indexer = Thread.ofVirtual().name("qpart-head-index").unstarted(this::indexHeads);
    }

    /** Starts serving {@code models}; the server is ready once every head of every table is indexed. */
    public static QpartServer start(List<ServedModel> models, ServerConfig config) throws IOException {
        QpartServer s = new QpartServer(models, config);
        Http1Server.Limits limits = new Http1Server.Limits(MAX_HEAD_BYTES, IDLE_TIMEOUT, config.requestTimeout(), MAX_CONNECTIONS, Api.JSON);
        s.http = Http1Server.start(new InetSocketAddress(config.host(), config.port()), 256, limits,
                (status, message) -> Json.compact(Map.of("error", Messages.oneLine(message))), s::handle, s.new InlineInfer(), config.eventLoops());
        s.indexer.start();
        return s;
    }

    /** The bound port (the free one picked when the config asked for port 0). */
    public int port() {
        return http.address().getPort();
    }

    /** {@code http://HOST:PORT}. */
    public URI uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + host + ":" + port());
    }

    public Metrics metrics() {
        return metrics;
    }

    public HeadCache heads() {
        return heads;
    }

    /** Whether every table's head ids are known (what {@code /readyz} reports). */
    public boolean ready() {
        return ready;
    }

    /** Waits until {@link #ready()}; returns it. */
    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        indexer.join(Duration.ofNanos(unit.toNanos(timeout)));
        return ready;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        indexer.interrupt();
        if (http != null) {
            http.close();
        }
        timer.shutdownNow();
        for (TailRuntime t : tails.values()) {
            t.close();
        }
    }

    // ---- heads --------------------------------------------------------------------------------

    /** Remembers the id of every table entry's head so that any server can serve it before a plan asked for it. */
    private void indexHeads() {
        try {
            for (ServedModel m : models.values()) {
                for (TableCut c : m.table().cuts()) {
                    if (m.split(c.index()).headIsEmpty()) {
                        continue;
                    }
                    for (TableEntry e : c.entries()) {
                        HeadCache.Key key = new HeadCache.Key(m.name(), c.index(), e.bits());
                        if (Api.isHeadId(e.headId())) {
                            heads.remember(e.headId(), key);
                        } else {
                            heads.get(key);
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            return;
                        }
                    }
                }
            }
            ready = true;
        } catch (RuntimeException e) {
            System.err.println("qpart serve: indexing heads failed: " + Messages.oneLine(e.getMessage()));
        }
    }

    private HeadCache.Head buildHead(HeadCache.Key key) {
        ServedModel m = models.get(key.model());
        SplitModel split = m.split(key.cut());
        HeadContainer c = HeadCodec.pack(split.head(), m.name(), m.model().sha256(), m.model().analysis().cut(key.cut()), new BitWidths(key.bits()));
        byte[] bytes = c.encode();
        return new HeadCache.Head(c.id(), bytes);
    }

    // ---- dispatch -----------------------------------------------------------------------------

    private static String route(String path) {
        if (path.equals(Api.PLAN)) {
            return "plan";
        }
        if (path.startsWith(Api.HEADS)) {
            return "heads";
        }
        return switch (path) {
            case Api.INFER -> "infer";
            case Api.HEALTHZ -> "healthz";
            case Api.READYZ -> "readyz";
            case Api.METRICS -> "metrics";
            default -> "other";
        };
    }

    /** One request in flight: who answers it (the handler or the watchdog), with what status and how many bytes. */
    private static final class Outcome {
        final Exchange exchange;
        final Thread handler;
        final long deadlineNanos;
        final AtomicBoolean claimed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        int status;
        long sent;

        Outcome(Exchange exchange, Thread handler, long deadlineNanos) {
            this.exchange = exchange;
            this.handler = handler;
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** The watchdog's round: answers 504 for every request past its deadline, then interrupts a read that is stuck. */
    private void sweep() {
        long now = System.nanoTime();
        for (Outcome o : inFlight.keySet()) {
            if (now - o.deadlineNanos >= 0 && o.claimed.compareAndSet(false, true)) {
                o.exchange.closeAfterAnswer(); // the handler is still at work on this connection
                answer(o.exchange, Response.error(504, "the request took longer than " + config.requestTimeout().toMillis() + " ms"), o);
                o.handler.interrupt();
            }
        }
    }

    private void handle(Exchange ex) {
        long t0 = System.nanoTime();
        metrics.started();
        String route = route(ex.rawPath());
        Outcome o = new Outcome(ex, Thread.currentThread(), t0 + config.requestTimeout().toNanos());
        inFlight.put(o, Boolean.TRUE);
        Response r;
        boolean abandoned = false;
        try {
            r = dispatch(ex, route);
        } catch (Throwable t) {
            r = failure(t);
            abandoned = t instanceof ClientGone;
        }
        if (o.claimed.compareAndSet(false, true)) {
            if (abandoned) {
                o.status = 499;
                o.done.countDown();
            } else {
                answer(ex, r, o);
            }
        }
        inFlight.remove(o);
        while (true) {
            try {
                o.done.await();
                break;
            } catch (InterruptedException e) {
                // the watchdog's own interrupt: it has answered or is about to; wait for it
            }
        }
        Thread.interrupted(); // a late watchdog interrupt is meant for this request only
        metrics.record(route, o.status, System.nanoTime() - t0, ex.bodyBytesRead(), o.sent);
        metrics.finished();
    }

    /** Sends {@code r}, noting its status (499 when the client is gone) and size in {@code o}. */
    private void answer(Exchange ex, Response r, Outcome o) {
        try {
            o.sent = send(ex, r);
            o.status = r.status();
        } catch (IOException | RuntimeException e) {
            o.status = 499; // the client closed the connection before the answer was written
        } finally {
            o.done.countDown();
        }
    }

    private static Response failure(Throwable t) {
        if (t instanceof HttpError h) {
            return Response.error(h.status(), h.getMessage());
        }
        if (t instanceof ClientGone) {
            return Response.error(400, "the client closed the connection");
        }
        if (t instanceof FormatException f) {
            return Response.error(f.reason() == FormatException.Reason.CHECKSUM_MISMATCH ? 422 : 400, f.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            return Response.error(400, t.getMessage());
        }
        if (t instanceof OutOfMemoryError) {
            return Response.error(503, "the server is out of memory for this request");
        }
        return Response.error(500, t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    private long send(Exchange ex, Response r) throws IOException {
        return Math.max(0, ex.respond(r.status(), r.contentType(), headersOf(r), r.body()));
    }

    /** An answer's headers: errors and 304s are not to be stored by caches. */
    private static Map<String, String> headersOf(Response r) {
        Map<String, String> headers = r.headers();
        if (r.status() >= 400 || r.status() == 304) {
            headers = new LinkedHashMap<>(headers);
            headers.put("Cache-Control", "no-store");
        }
        return headers;
    }

    private Response dispatch(Exchange ex, String route) throws Exception {
        String method = ex.method();
        return switch (route) {
            case "plan" -> {
                requireMethod(method, "POST");
                yield plan(ex);
            }
            case "heads" -> {
                requireMethod(method, "GET");
                yield head(ex);
            }
            case "infer" -> {
                requireMethod(method, "POST");
                yield infer(ex);
            }
            case "healthz" -> {
                requireMethod(method, "GET");
                yield Response.json(200, Map.of("status", "ok"));
            }
            case "readyz" -> {
                requireMethod(method, "GET");
                yield ready ? Response.json(200, Map.of("status", "ready", "models", models.keySet().stream().sorted().toList()))
                        : Response.json(503, Map.of("status", "indexing heads"));
            }
            case "metrics" -> {
                requireMethod(method, "GET");
                yield new Response(200, Api.METRICS_MEDIA_TYPE, metrics.render(heads, models.size()).getBytes(StandardCharsets.UTF_8), Map.of());
            }
            default -> throw new HttpError(404, "no such path: " + ex.rawPath() + "; the API has " + Api.PLAN + ", "
                    + Api.HEADS + "{id}, " + Api.INFER + ", " + Api.HEALTHZ + ", " + Api.READYZ + ", " + Api.METRICS);
        };
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new HttpError(405, "expected " + expected + ", found " + method);
        }
    }

    /** Reads the body, refusing more than {@code limit} bytes by the declared length and by counting. */
    private static byte[] body(Exchange ex, long limit) {
        long declared = ex.declaredLength();
        if (declared > limit) {
            ex.closeAfterAnswer();
            throw new HttpError(413, "request body of " + declared + " bytes is over the limit of " + limit + " bytes");
        }
        byte[] buf = new byte[(int) Math.min(limit + 1, declared >= 0 ? declared + 1 : 8192)];
        int len = 0;
        try {
            InputStream in = ex.body();
            while (true) {
                if (len == buf.length) {
                    if (len > limit) {
                        ex.closeAfterAnswer();
                        throw new HttpError(413, "request body is over the limit of " + limit + " bytes");
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(limit + 1, 2L * buf.length));
                }
                int r = in.read(buf, len, buf.length - len);
                if (r < 0) {
                    break;
                }
                len += r;
            }
        } catch (MalformedBodyException e) {
            ex.closeAfterAnswer();
            throw new HttpError(400, "request body: " + e.getMessage());
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (declared >= 0 && len != declared) {
            throw new ClientGone(new IOException("body ended after " + len + " of " + declared + " bytes"));
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    private ServedModel model(String name) {
        ServedModel m = models.get(name);
        if (m == null) {
            throw new HttpError(404, "unknown model '" + name + "'; this server has " + models.keySet().stream().sorted().toList());
        }
        return m;
    }

    // ---- POST /v1/plan ------------------------------------------------------------------------

    private Response plan(Exchange ex) {
        byte[] body = body(ex, Math.min(MAX_PLAN_BYTES, config.maxBodyBytes()));
        JsonNode j;
        try {
            j = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "plan request: not valid JSON (" + Messages.oneLine(e.getMessage()) + ")");
        }
        if (j == null || !j.isObject()) {
            throw new HttpError(400, "plan request: expected a JSON object query (docs/query.md), found " + (j == null ? "nothing" : j.getNodeType()));
        }
        ObjectNode q = ((ObjectNode) j).deepCopy();
        int cut = -1;
        JsonNode c = q.remove(Api.FORCED_CUT_FIELD);
        if (c != null && !c.isNull()) {
            if (!c.canConvertToInt() || !c.isIntegralNumber() || c.asInt() < 0) {
                throw new HttpError(400, "plan request: '" + Api.FORCED_CUT_FIELD + "' must be a cut index >= 0, found " + c);
            }
            cut = c.asInt();
        }
        Strategy strategy = Strategy.QPART;
        JsonNode s = q.remove(Api.STRATEGY_FIELD);
        if (s != null && !s.isNull()) {
            if (!s.isTextual()) {
                throw new HttpError(400, "plan request: '" + Api.STRATEGY_FIELD + "' must be a strategy name, found " + s);
            }
            strategy = Strategy.of(s.asText());
        }
        if (q.hasNonNull("model") && q.get("model").isTextual()) {
            model(q.get("model").asText()); // an unknown model is 404 before the rest is checked
        }
        Query query = Query.parse(q, "plan request");
        ServedModel m = model(query.model());
        if (cut >= m.cutCount()) {
            throw new HttpError(400, "plan request: cut " + cut + " is out of range: model '" + m.name() + "' has cuts 0.." + (m.cutCount() - 1));
        }
        Decision d = Planner.plan(m.index(), query.costModel(), query.maxAccuracyDrop(), query.heldHeads(), strategy, cut);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.name());
        o.putAll(DecisionJson.toJson(d, null));
        String headId = null;
        boolean held = false;
        long download = 0;
        if (!m.split(d.cut()).headIsEmpty()) {
            HeadCache.Head h = heads.get(new HeadCache.Key(m.name(), d.cut(), d.bits()));
            headId = h.id();
            held = query.heldHeads().contains(headId);
            download = held ? 0 : h.bytes().length;
        }
        o.put("downloadBytes", download);
        o.put("headId", headId);
        o.put("headHeld", held);
        o.put("headPath", headId == null ? null : Api.headPath(headId, m.name(), d.cut(), d.bits()));
        o.put("inferPath", Api.inferPath(m.name(), d.cut()));
        String input = m.model().singleInput();
        o.put("input", Map.of("name", input, "shape", m.model().analysis().profile().get(input).shape()));
        List<Map<String, Object>> crossing = new ArrayList<>();
        for (CrossingTensor t : m.crossing(d.cut())) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("shape", t.shape());
            crossing.add(e);
        }
        o.put("crossing", crossing);
        return Response.json(200, o);
    }

    // ---- GET /v1/heads/{id} -------------------------------------------------------------------

    private Response head(Exchange ex) {
        String id = ex.rawPath().substring(Api.HEADS.length());
        if (!Api.isHeadId(id)) {
            throw new HttpError(400, "a head id is 64 lowercase hex digits (a SHA-256), found '" + abbreviate(id) + "'");
        }
        if (heads.keyOf(id).isEmpty()) {
            HeadCache.Key hinted = hint(ex.rawQuery());
            if (hinted == null) {
                throw new HttpError(404, "unknown head " + id + (ready ? "" : " (the server is still indexing heads)"));
            }
            HeadCache.Head h = heads.get(hinted);
            if (!h.id().equals(id)) {
                throw new HttpError(404, "unknown head " + id + ": model '" + hinted.model() + "' at cut " + hinted.cut() + " with those bits packs to " + h.id());
            }
        }
        String etag = Api.etag(id);
        Map<String, String> headers = Map.of("ETag", etag, "Cache-Control", Api.HEAD_CACHE_CONTROL);
        String inm = ex.header("If-None-Match");
        if (inm != null && matches(inm, id)) {
            return new Response(304, Api.HEAD_MEDIA_TYPE, new byte[0], Map.of("ETag", etag));
        }
        HeadCache.Head h = heads.byId(id).orElseThrow(() -> new HttpError(404, "unknown head " + id));
        if (!h.id().equals(id)) {
            throw new HttpError(404, "unknown head " + id + " (the table names it, but its head packs to " + h.id() + ")");
        }
        return new Response(200, Api.HEAD_MEDIA_TYPE, h.bytes(), headers);
    }

    /** What a head path's query says the head is built from (see {@link Api#headPath(String, String, int, Map)}), or null without one. */
    private HeadCache.Key hint(String rawQuery) {
        Map<String, String> q = query(rawQuery);
        if (!q.containsKey("model") || !q.containsKey("cut") || !q.containsKey("bits")) {
            return null;
        }
        ServedModel m = model(q.get("model"));
        int cut;
        try {
            cut = Integer.parseInt(q.get("cut"));
        } catch (NumberFormatException e) {
            throw new HttpError(400, "head: cut must be an integer, found '" + abbreviate(q.get("cut")) + "'");
        }
        m.requireCut(cut);
        if (m.split(cut).headIsEmpty()) {
            throw new HttpError(400, "head: model '" + m.name() + "' has no head at cut " + cut);
        }
        JsonNode b;
        try {
            b = Json.MAPPER.readTree(q.get("bits"));
        } catch (IOException e) {
            throw new HttpError(400, "head: bits must be a JSON object of weight name to bits, found '" + abbreviate(q.get("bits")) + "'");
        }
        if (b == null || !b.isObject()) {
            throw new HttpError(400, "head: bits must be a JSON object of weight name to bits, found '" + abbreviate(q.get("bits")) + "'");
        }
        java.util.Set<String> weights = new java.util.HashSet<>(m.table().cuts().get(cut).weights());
        Map<String, Integer> bits = new java.util.TreeMap<>();
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            if (!weights.contains(e.getKey())) {
                throw new HttpError(400, "head: '" + abbreviate(e.getKey()) + "' is not a weight of model '" + m.name() + "' before cut " + cut);
            }
            if (!e.getValue().isInt()) {
                throw new HttpError(400, "head: bits of '" + abbreviate(e.getKey()) + "' must be an integer, found " + e.getValue());
            }
            bits.put(e.getKey(), e.getValue().asInt());
        }
        new BitWidths(bits); // 2..16 or 32, else 400
        return new HeadCache.Key(m.name(), cut, bits);
    }

    private static boolean matches(String ifNoneMatch, String id) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(Api.etag(id)) || t.equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ---- POST /v1/infer?model=M&cut=K ---------------------------------------------------------

    /** The (model, cut) an infer request names in its query, and the tail serving it. */
    private record InferTarget(ServedModel model, int cut, TailRuntime tail) {
    }

    private InferTarget inferTarget(String rawQuery) {
        Map<String, String> params = query(rawQuery);
        String name = params.get("model");
        String cutText = params.get("cut");
        if (name == null || cutText == null) {
            throw new HttpError(400, "infer: expected query parameters model=NAME&cut=K, found '" + (rawQuery == null ? "" : abbreviate(rawQuery)) + "'");
        }
        ServedModel m = model(name);
        int cut;
        try {
            cut = Integer.parseInt(cutText);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "infer: cut must be an integer, found '" + abbreviate(cutText) + "'");
        }
        m.requireCut(cut);
        TailRuntime tail = tails.computeIfAbsent(m.name() + "#" + cut, k -> new TailRuntime(m, cut, config.sessionThreads(), metrics));
        return new InferTarget(m, cut, tail);
    }

    private Response infer(Exchange ex) throws FormatException {
        InferTarget t = inferTarget(ex.rawQuery());
        byte[] body = body(ex, config.maxBodyBytes());
        List<ActivationFrame> frames = Frames.decodeAll(body);
        if (closed) {
            throw new HttpError(503, "the server is shutting down");
        }
        TailRuntime.Result r;
        try {
            r = t.tail().run(frames);
        } catch (ModelException e) {
            throw new HttpError(400, "infer: " + e.getMessage());
        }
        metrics.samplesInferred(r.classes().length);
        return new Response(200, Api.JSON, inferAnswer(t.model().name(), t.cut(), r), Map.of());
    }

    /** A request an event loop holds: its route, size and arrival, counted in the metrics once written. */
    private class LoopCall extends InlineCall {
        final String route;
        final long bytesIn;
        final long t0;

        LoopCall(String route, long bytesIn, long t0) {
            this.route = route;
            this.bytesIn = bytesIn;
            this.t0 = t0;
            metrics.started();
        }

        final void answer(Response r) {
            answer(r.status(), r.contentType(), headersOf(r), r.body());
        }

        @Override
        protected final void written(int status, long bodyBytes) {
            metrics.record(route, status, System.nanoTime() - t0, bytesIn, bodyBytes);
            metrics.finished();
        }
    }

    /** An infer request an event loop holds: its target and checked frames. */
    private final class InferCall extends LoopCall {
        final InferTarget target;
        final TailRuntime.Prepared prepared;

        InferCall(InferTarget target, TailRuntime.Prepared prepared, long bytesIn, long t0) {
            super("infer", bytesIn, t0);
            this.target = target;
            this.prepared = prepared;
        }
    }

    /**
     * What the event loops answer themselves. {@code POST /v1/infer}: a request whose frames
     * check out is claimed and run with the others of its round, one tail call per (model, cut)
     * and round where the tensors stack (SPEC §1 step 3, the same tail and answer as
     * {@link #infer}); a request with anything wrong is declined, and the blocking path answers
     * it with its error. {@code GET /healthz}: answered as {@link #dispatch} does. Everything
     * else (plans, heads, readiness, metrics) goes to the blocking path.
     */
    private final class InlineInfer implements InlineHandler {
        private static final byte[] HEALTHY = Json.compact(Map.of("status", "ok"));

        @Override
        public InlineCall claim(String method, String rawPath, String rawQuery, byte[] body) {
            if (closed) {
                return null;
            }
            long t0 = System.nanoTime();
            if (method.equals("GET") && rawPath.equals(Api.HEALTHZ)) {
                LoopCall c = new LoopCall("healthz", body.length, t0);
                c.answer(200, Api.JSON, Map.of(), HEALTHY);
                return c;
            }
            if (!method.equals("POST") || !rawPath.equals(Api.INFER) || body.length > config.maxBodyBytes()) {
                return null;
            }
            InferTarget t;
            TailRuntime.Prepared p;
            try {
                t = inferTarget(rawQuery);
                p = t.tail().prepare(Frames.decodeAll(body));
            } catch (FormatException | RuntimeException e) {
                return null;
            }
            return new InferCall(t, p, body.length, t0);
        }

        @Override
        public void complete(List<InlineCall> calls) {
            Map<TailRuntime, List<InferCall>> byTail = new LinkedHashMap<>();
            for (InlineCall c : calls) {
                if (c instanceof InferCall ic) {
                    byTail.computeIfAbsent(ic.target.tail(), k -> new ArrayList<>()).add(ic);
                }
            }
            for (Map.Entry<TailRuntime, List<InferCall>> e : byTail.entrySet()) {
                List<InferCall> group = e.getValue();
                List<TailRuntime.Prepared> prepared = new ArrayList<>(group.size());
                for (InferCall c : group) {
                    prepared.add(c.prepared);
                }
                try {
                    List<TailRuntime.Result> results = e.getKey().runTogether(prepared);
                    for (int i = 0; i < group.size(); i++) {
                        InferCall c = group.get(i);
                        TailRuntime.Result r = results.get(i);
                        metrics.samplesInferred(r.classes().length);
                        c.answer(new Response(200, Api.JSON, inferAnswer(c.target.model().name(), c.target.cut(), r), Map.of()));
                    }
                } catch (ModelException x) {
                    for (InferCall c : group) {
                        c.answer(Response.error(400, "infer: " + x.getMessage()));
                    }
                } catch (RuntimeException | Error x) {
                    Response r = failure(x);
                    for (InferCall c : group) {
                        c.answer(r);
                    }
                }
            }
        }
    }

    /**
     * The infer answer, {@code {"model", "cut", "samples", "results": [{"class", "logits"}]}},
     * written directly (it is the one answer on every sample's path); logits that are not finite
     * go through Jackson, which writes them the way every other answer does.
     */
    static byte[] inferAnswer(String model, int cut, TailRuntime.Result r) {
        boolean finite = true;
        for (float[] row : r.logits()) {
            for (float v : row) {
                finite &= Float.isFinite(v);
            }
        }
        if (!finite) {
            List<Map<String, Object>> results = new ArrayList<>(r.classes().length);
            for (int i = 0; i < r.classes().length; i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("class", r.classes()[i]);
                e.put("logits", r.logits()[i]);
                results.add(e);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model);
            o.put("cut", cut);
            o.put("samples", r.classes().length);
            o.put("results", results);
            return Json.compact(o);
        }
        StringBuilder b = new StringBuilder(64 + 160 * r.classes().length);
        b.append("{\"model\":");
        Json.appendString(b, model);
        b.append(",\"cut\":").append(cut).append(",\"samples\":").append(r.classes().length).append(",\"results\":[");
        for (int i = 0; i < r.classes().length; i++) {
            b.append(i == 0 ? "{\"class\":" : ",{\"class\":").append(r.classes()[i]).append(",\"logits\":[");
            float[] row = r.logits()[i];
            for (int c = 0; c < row.length; c++) {
                if (c > 0) {
                    b.append(',');
                }
                b.append(row[c]);
            }
            b.append("]}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "malformed query string: " + e.getMessage());
            }
        }
        return out;
    }
}

package io.qpart.serve.device;

import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.format.FormatException;
import io.qpart.core.format.Messages;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.HeadContainer;
import io.qpart.core.wire.WireTensor;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.quant.HeadCodec;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.serve.json.Json;
import io.qpart.serve.protocol.Api;
import io.qpart.serve.protocol.CrossingTensor;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The device side of split inference (SPEC §1): plans with the server, downloads a head only when
 * it does not hold it (the ids of held heads go with every plan request), runs the head with ONNX
 * Runtime, quantizes the crossing tensors into activation frames (SPEC §3), one per sample with
 * its own range, uploads them and reads the logits. Every stage is timed. One connection, one
 * request at a time: not thread-safe; use one client per device.
 */
public final class DeviceClient implements AutoCloseable {
    /** Default socket timeout. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 120_000;

    private final HttpLink link;
    private final int threads;
    private final Map<String, HeldHead> held = new LinkedHashMap<>();

    private record HeldHead(HeadContainer container, OnnxSession session) {
    }

    /**
     * A plan made ready to run: the head is held and loaded.
     *
     * @param planNanos      measured time of the plan request
     * @param downloadNanos  measured time of the head download, 0 when the head was held
     * @param downloadedBytes head bytes received, 0 when the head was held
     * @param downloadRequestWireBytes the head's request as sent (request line and headers), 0 when held
     * @param downloadWireBytes the head's answer as received: status line, headers and container, 0 when held
     */
    public record Prepared(Plan plan, long planNanos, long downloadNanos, long downloadedBytes, long downloadRequestWireBytes,
                           long downloadWireBytes) {
    }

    /**
     * The answer for a batch of samples.
     *
     * @param headNanos     running the head (0 at cut 0)
     * @param quantizeNanos quantizing and encoding the frames
     * @param uploadNanos   writing the request (the frames) to the connection
     * @param serverNanos   from the last byte sent to the last byte of the answer (server work and the answer's download)
     * @param uploadBytes   frame bytes sent
     * @param uploadWireBytes  the request as sent: request line, headers and frames
     * @param answerWireBytes  the answer as received: status line, headers and body
     */
    public record Inference(int[] classes, float[][] logits, long headNanos, long quantizeNanos, long uploadNanos, long serverNanos,
                            long uploadBytes, long uploadWireBytes, long answerWireBytes) {
        public Inference {
            classes = classes.clone();
            logits = logits.clone();
        }

        @Override
        public int[] classes() {
            return classes.clone();
        }

        /** Upload plus server time: the request's round trip. */
        public long roundTripNanos() {
            return uploadNanos + serverNanos;
        }
    }

    /** A device talking to {@code server} through {@code channel}; {@code threads} are ONNX Runtime's for the head. */
    public DeviceClient(URI server, Channel channel, int threads) {
        this(server, channel, threads, DEFAULT_TIMEOUT_MILLIS);
    }

    public DeviceClient(URI server, Channel channel, int threads, int timeoutMillis) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        this.link = new HttpLink(server, channel, timeoutMillis);
        this.threads = threads;
    }

    /** Ids of the heads this device holds. */
    public Set<String> heldHeads() {
        return new TreeSet<>(held.keySet());
    }

    /** Asks the server's {@code /healthz} on this client's connection; throws when it does not answer 200. */
    public void health() throws IOException {
        HttpLink.Response r = link.send("GET", Api.HEALTHZ, Map.of(), null);
        if (r.status() != 200) {
            throw error(r);
        }
    }

    /** Asks the server for a plan. */
    public Plan plan(PlanRequest request) throws IOException {
        return plan(request, new long[1]);
    }

    private Plan plan(PlanRequest request, long[] nanos) throws IOException {
        byte[] body = Json.compact(request.toJson(held.keySet()));
        HttpLink.Response r = link.send("POST", Api.PLAN, Map.of("Content-Type", Api.JSON), body);
        nanos[0] = r.totalNanos();
        return Plan.parse(json(r));
    }

    /** Plans, then makes sure the plan's head is held and loaded (downloading it when not). */
    public Prepared prepare(PlanRequest request) throws IOException {
        long[] planNanos = new long[1];
        Plan p = plan(request, planNanos);
        if (p.headId() == null || held.containsKey(p.headId())) {
            return new Prepared(p, planNanos[0], 0, 0, 0, 0);
        }
        HttpLink.Response r = link.send("GET", p.headPath(), Map.of(), null);
        if (r.status() != 200) {
            throw error(r);
        }
        HeadContainer c;
        try {
            c = HeadContainer.decode(r.body());
        } catch (FormatException e) {
            throw new DeviceException(0, "the head " + p.headId() + " is damaged: " + e.getMessage());
        }
        if (!c.id().equals(p.headId())) {
            throw new DeviceException(0, "asked for head " + p.headId() + ", received " + c.id());
        }
        OnnxSession session;
        try {
            session = OnnxSession.create(HeadCodec.unpack(c, false).toByteArray(), threads);
        } catch (FormatException e) {
            throw new DeviceException(0, "the head " + p.headId() + " cannot be unpacked: " + e.getMessage());
        }
        held.put(p.headId(), new HeldHead(c, session));
        return new Prepared(p, planNanos[0], r.readNanos() + r.waitNanos() + r.writeNanos(), r.body().length, r.bytesSent(), r.bytesReceived());
    }

    /** Runs one sample ({@code sample} holds one input of the plan's input shape). */
    public Inference infer(Prepared p, float[] sample) throws IOException {
        return infer(p, sample, 1);
    }

    /**
     * Runs {@code count} samples, row-major in {@code samples}: the head on all of them at once,
     * then one frame per sample (its own quantization range, as one request of one sample would
     * send), all frames in one request.
     */
    public Inference infer(Prepared prepared, float[] samples, int count) throws IOException {
        Upload u = upload(prepared, samples, count);
        HttpLink.Response r = link.send("POST", prepared.plan().inferPath(), Map.of("Content-Type", Api.FRAME_MEDIA_TYPE), u.body());
        if (r.status() != 200) {
            throw error(r);
        }
        int[] classes = new int[count];
        float[][] logits = new float[count][];
        readResults(r.body(), classes, logits);
        return new Inference(classes, logits, u.headNanos(), u.quantizeNanos(), r.writeNanos(), r.waitNanos() + r.readNanos(), u.body().length,
                r.bytesSent(), r.bytesReceived());
    }

    /**
     * What one infer request carries: the activation frames, one per sample, concatenated.
     *
     * @param headNanos     running the head (0 at cut 0)
     * @param quantizeNanos quantizing and encoding the frames
     */
    public record Upload(byte[] body, long headNanos, long quantizeNanos) {
    }

    /**
     * Everything a device does for {@code count} samples before it sends them: runs the head
     * (none at cut 0) and quantizes each crossing tensor per sample (SPEC §3), one frame per
     * sample. {@link #infer} sends the result; a load generator may send it over a transport of
     * its own ({@link DeviceFleet}).
     */
    public Upload upload(Prepared prepared, float[] samples, int count) {
        Plan p = prepared.plan();
        long per = p.inputElements();
        if (count < 1 || samples.length != per * count) {
            throw new IllegalArgumentException("expected " + count + " samples of " + per + " values, found " + samples.length + " values");
        }
        long[] shape = p.inputShape();
        shape[0] = count;
        long t0 = System.nanoTime();
        Map<String, HostTensor> crossing;
        HostTensor input = HostTensor.ofFloats(shape, samples);
        if (p.headId() == null) {
            crossing = Map.of(p.inputName(), input);
        } else {
            HeldHead h = held.get(p.headId());
            if (h == null) {
                throw new IllegalStateException("head " + p.headId() + " is not held; prepare the plan first");
            }
            crossing = h.session().run(Map.of(p.inputName(), input));
        }
        long t1 = System.nanoTime();
        List<ActivationFrame> frames = new ArrayList<>(count);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (CrossingTensor c : p.crossing()) {
            HostTensor t = crossing.get(c.name());
            if (t == null) {
                throw new ModelException("the head did not produce crossing tensor '" + c.name() + "'; it produced " + crossing.keySet());
            }
            if (t.type() != OnnxJavaType.FLOAT) {
                throw new ModelException("crossing tensor '" + c.name() + "' is " + t.type() + "; only float tensors cross the wire");
            }
            long[] s = t.shape();
            if (!c.matches(s) || s[0] != count) {
                throw new ModelException("crossing tensor '" + c.name() + "' has shape " + Arrays.toString(s) + ", expected " + count + " x "
                        + Arrays.toString(c.shape()));
            }
            values.put(c.name(), t.floats());
        }
        for (int i = 0; i < count; i++) {
            WireTensor[] ts = new WireTensor[p.crossing().size()];
            int k = 0;
            for (CrossingTensor c : p.crossing()) {
                int n = Math.toIntExact(c.elementsPerSample());
                ts[k++] = WireTensor.quantize(c.name(), c.shape(), values.get(c.name()), i * n, p.activationBits()); // SPEC §3, per sample
            }
            frames.add(ActivationFrame.of(ts));
        }
        byte[] body = io.qpart.serve.protocol.Frames.concat(frames);
        return new Upload(body, t1 - t0, System.nanoTime() - t1);
    }

    /**
     * Reads the infer answer's {@code results} (docs/protocol.md) with a streaming parser: the
     * one answer on every sample's path, so no tree is built. Other fields are skipped.
     */
    static void readResults(byte[] answer, int[] classes, float[][] logits) throws DeviceException {
        int count = classes.length;
        int seen = 0;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(answer)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DeviceException(0, "the server's answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (!field.equals("results")) {
                    p.skipChildren();
                    continue;
                }
                if (v != JsonToken.START_ARRAY) {
                    throw new DeviceException(0, "expected 'results' to be an array, found " + v);
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    if (seen == count) {
                        throw new DeviceException(0, "expected " + count + " results from the server, found more");
                    }
                    int cls = -1;
                    float[] row = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken t = p.nextToken();
                        if (f.equals("class") && t == JsonToken.VALUE_NUMBER_INT) {
                            cls = p.getIntValue();
                        } else if (f.equals("logits") && t == JsonToken.START_ARRAY) {
                            float[] buf = new float[16];
                            int n = 0;
                            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                                if (e != JsonToken.VALUE_NUMBER_FLOAT && e != JsonToken.VALUE_NUMBER_INT) {
                                    throw new DeviceException(0, "expected numbers in 'logits', found " + e);
                                }
                                if (n == buf.length) {
                                    buf = Arrays.copyOf(buf, 2 * n);
                                }
                                buf[n++] = p.getFloatValue();
                            }
                            row = Arrays.copyOf(buf, n);
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (cls < 0 || row == null) {
                        throw new DeviceException(0, "result " + seen + " lacks 'class' or 'logits'");
                    }
                    classes[seen] = cls;
                    logits[seen] = row;
                    seen++;
                }
            }
        } catch (DeviceException e) {
            throw e;
        } catch (IOException e) {
            throw new DeviceException(0, "the server's answer is not JSON: " + Messages.oneLine(e.getMessage()));
        }
        if (seen != count) {
            throw new DeviceException(0, "expected " + count + " results from the server, found " + seen);
        }
    }

    private static JsonNode json(HttpLink.Response r) throws IOException {
        if (r.status() != 200) {
            throw error(r);
        }
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new DeviceException(0, "the server's answer is not JSON: " + Messages.oneLine(e.getMessage()));
        }
    }

    private static DeviceException error(HttpLink.Response r) {
        return error(r.status(), r.body());
    }

    /** The error a non-200 answer stands for: its JSON {@code error} field, or its body as text. */
    static DeviceException error(int status, byte[] body) {
        String msg;
        try {
            JsonNode j = Json.MAPPER.readTree(body);
            msg = j != null && j.hasNonNull("error") ? j.get("error").asText() : new String(body, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            msg = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
        return new DeviceException(status, "server answered " + status + ": " + Messages.oneLine(msg));
    }

    @Override
    public void close() {
        link.close();
        for (HeldHead h : held.values()) {
            h.session().close();
        }
        held.clear();
    }

    /** The connection's channel. */
    public Channel channel() {
        return link.channel();
    }

}

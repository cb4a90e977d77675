package io.qpart.serve.server;

import ai.onnxruntime.OnnxJavaType;
import io.qpart.core.wire.ActivationFrame;
import io.qpart.core.wire.WireTensor;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.runtime.HostTensor;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.serve.protocol.CrossingTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of one (model, cut): the float32 tail in one ONNX Runtime session, shared by
 * every request (SPEC §1 step 3). A request's frames are checked against the crossing tensors,
 * dequantized (SPEC §3), stacked into one batch where the tensors allow it, and run; the first
 * output gives each sample's logits and class. At the last cut the tail is empty and the
 * dequantized crossing tensors are the outputs.
 */
final class TailRuntime implements AutoCloseable {
    /** Most float elements one request may carry across its frames (64 MiB as float32). */
    static final long MAX_REQUEST_ELEMENTS = 1L << 24;

    /** Logits and class of each sample of a request, in order. */
    record Result(int[] classes, float[][] logits) {
    }

    private final String model;
    private final int cut;
    private final OnnxSession tail;
    private final List<CrossingTensor> crossing;
    private final boolean batchable;

    TailRuntime(ServedModel m, int cut, int threads) {
        this.model = m.name();
        this.cut = cut;
        SplitModel split = m.split(cut);
        this.tail = split.tailIsEmpty() ? null : OnnxSession.create(split.tail().toByteArray(), threads);
        this.crossing = m.crossing(cut);
        this.batchable = m.batchable(cut);
    }

    List<CrossingTensor> crossing() {
        return crossing;
    }

    /** Runs the frames of one request; a frame whose tensors are not those of this cut is refused (400). */
    Result run(List<ActivationFrame> frames) {
        List<Map<String, HostTensor>> inputs = new ArrayList<>();
        int samples = 0;
        long elements = 0;
        for (int f = 0; f < frames.size(); f++) {
            elements += frameElements(frames.get(f));
            if (elements > MAX_REQUEST_ELEMENTS) {
                throw new HttpError(413, "the request's frames hold more than " + MAX_REQUEST_ELEMENTS + " values; send fewer samples per request");
            }
            Map<String, HostTensor> in = check(frames.get(f), f);
            samples = Math.addExact(samples, Math.toIntExact(in.values().iterator().next().shape()[0]));
            inputs.add(in);
        }
        int[] classes = new int[samples];
        float[][] logits = new float[samples][];
        if (batchable && inputs.size() > 1) {
            inputs = List.of(stack(inputs, samples));
        }
        int at = 0;
        for (Map<String, HostTensor> in : inputs) {
            Map<String, HostTensor> out = tail == null ? in : tail.run(in);
            HostTensor first = out.values().iterator().next();
            long[] s = first.shape();
            long n = in.values().iterator().next().shape()[0];
            if (first.type() != OnnxJavaType.FLOAT || s.length != 2 || s[0] != n) {
                throw new IllegalStateException("model '" + model + "': expected float logits of shape [" + n + ", classes] as the first output, found "
                        + first.type() + " " + Arrays.toString(s));
            }
            int c = Math.toIntExact(s[1]);
            FloatBuffer fb = first.data().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                float[] row = new float[c];
                fb.get(row);
                int best = 0;
                for (int j = 1; j < c; j++) {
                    if (row[j] > row[best]) {
                        best = j;
                    }
                }
                classes[at] = best;
                logits[at] = row;
                at++;
            }
        }
        return new Result(classes, logits);
    }

    private Map<String, HostTensor> check(ActivationFrame frame, int index) {
        if (frame.tensors().size() != crossing.size()) {
            throw new HttpError(400, "frame " + index + ": model '" + model + "' at cut " + cut + " expects " + crossing.size() + " tensor(s) "
                    + crossing + ", found " + frame.tensors().size());
        }
        Map<String, HostTensor> in = new LinkedHashMap<>();
        long batch = -1;
        for (CrossingTensor c : crossing) {
            WireTensor t = find(frame, c.name());
            if (t == null) {
                throw new HttpError(400, "frame " + index + ": model '" + model + "' at cut " + cut + " expects tensor '" + c.name() + "', found "
                        + names(frame));
            }
            long[] s = t.shape();
            if (!c.matches(s) || (batch >= 0 && s[0] != batch) || (!batchable && s[0] != 1)) {
                throw new HttpError(400, "frame " + index + ": tensor '" + c.name() + "' must have shape " + Arrays.toString(c.shape())
                        + (batchable ? " with any batch >= 1 shared by the frame's tensors" : "") + ", found " + Arrays.toString(s));
            }
            batch = s[0];
            in.put(c.name(), HostTensor.ofFloats(s, t.values())); // SPEC §3 dequantization
        }
        return in;
    }

    private static long frameElements(ActivationFrame f) {
        long n = 0;
        for (WireTensor t : f.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    private static WireTensor find(ActivationFrame f, String name) {
        for (WireTensor t : f.tensors()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static List<String> names(ActivationFrame f) {
        List<String> n = new ArrayList<>();
        for (WireTensor t : f.tensors()) {
            n.add(t.name());
        }
        return n;
    }

    private Map<String, HostTensor> stack(List<Map<String, HostTensor>> parts, int samples) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (CrossingTensor c : crossing) {
            long per = c.elementsPerSample();
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(Math.multiplyExact(per, samples), 4L))).order(ByteOrder.nativeOrder());
            for (Map<String, HostTensor> p : parts) {
                buf.put(p.get(c.name()).data().duplicate());
            }
            buf.flip();
            long[] shape = c.shape();
            shape[0] = samples;
            out.put(c.name(), new HostTensor(OnnxJavaType.FLOAT, shape, buf));
        }
        return out;
    }

    @Override
    public void close() {
        if (tail != null) {
            tail.close();
        }
    }
}

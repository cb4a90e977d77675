package io.qpart.onnx.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qpart.core.format.Messages;
import io.qpart.onnx.model.ModelException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One ONNX Runtime session over model bytes. Not thread-safe for close; {@link #run} may be called concurrently. */
public final class OnnxSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final Map<String, TensorInfo> inputInfo;
    private volatile boolean closed;

    private OnnxSession(OrtEnvironment env, OrtSession session) throws OrtException {
        this.env = env;
        this.session = session;
        this.inputNames = List.copyOf(session.getInputNames());
        this.outputNames = List.copyOf(session.getOutputNames());
        Map<String, TensorInfo> info = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
                throw new ModelException("model input '" + e.getKey() + "' is not a tensor (" + e.getValue().getInfo() + "); only tensor inputs are supported");
            }
            info.put(e.getKey(), ti);
        }
        this.inputInfo = Map.copyOf(info);
    }

    /**
     * Creates a session; {@code threads} is ONNX Runtime's intra-op thread count (0 = its default,
     * one per core).
     */
    public static OnnxSession create(byte[] model, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // Head and tail sessions run one after the other; idle pool threads that spin-wait
            // would take the cores from the session that is running.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return new OnnxSession(env, env.createSession(model, options));
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime cannot load the model: " + Messages.oneLine(e.getMessage()), e);
        }
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    /** Declared shape of an input, -1 for dynamic dimensions. */
    public long[] inputShape(String name) {
        TensorInfo ti = inputInfo.get(name);
        if (ti == null) {
            throw new IllegalArgumentException("no model input named '" + name + "'; inputs are " + inputNames);
        }
        return ti.getShape();
    }

    /** Runs the model on host tensors and returns every output, in the model's output order. */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        return run(inputs, Set.copyOf(outputNames));
    }

    /** Runs the model and returns the requested outputs. */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs, Set<String> wanted) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                HostTensor t = e.getValue();
                ByteBuffer direct = t.data();
                if (!direct.isDirect()) { // ONNX Runtime reads a direct buffer in place and copies any other
                    direct = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder());
                    direct.put(t.data().duplicate()).flip();
                }
                feed.put(e.getKey(), OnnxTensor.createTensor(env, direct, t.shape(), t.type()));
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed, wanted)) {
                for (String name : outputNames) {
                    if (!wanted.contains(name)) {
                        continue;
                    }
                    Optional<OnnxValue> v = result.get(name);
                    if (v.isEmpty()) {
                        continue;
                    }
                    if (!(v.get() instanceof OnnxTensor t)) {
                        throw new ModelException("model output '" + name + "' is a " + v.get().getType() + ", expected a tensor");
                    }
                    TensorInfo info = t.getInfo();
                    ByteBuffer bytes = t.getByteBuffer();
                    out.put(name, new HostTensor(info.type, info.getShape(), bytes));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime failed to run the model: " + Messages.oneLine(e.getMessage()), e);
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

}

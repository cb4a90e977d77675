package io.qpart.onnx.calibrate;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qpart.core.format.Messages;
import io.qpart.onnx.model.ModelException;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

/**
 * A short-lived ONNX Runtime session for calibration jobs: one intra-op thread, full graph
 * optimisation, no memory-pattern planning and no arena. A job runs its session only a few
 * times; planning and a fresh arena make the first runs of a session up to twice as slow,
 * while plain allocations reuse the memory earlier sessions freed. Inputs and outputs are tensors
 * over the caller's direct buffers, so that ONNX Runtime reads and writes them in place.
 */
final class CalSession implements AutoCloseable {
    private final OrtSession session;
    private boolean closed;

    private CalSession(OrtSession session) {
        this.session = session;
    }

    static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment();
    }

    static CalSession create(byte[] model) {
        OrtEnvironment env = env();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setMemoryPatternOptimization(false);
            options.setCPUArenaAllocator(false);
            return new CalSession(env.createSession(model, options));
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime cannot load the model: " + Messages.oneLine(e.getMessage()), e);
        }
    }

    /** Runs the model, writing every output named in {@code outputs} into its tensor. */
    void run(Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> outputs) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        try {
            session.run(inputs, Set.of(), outputs).close(); // the outputs were written in place
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime failed to run the model: " + Messages.oneLine(e.getMessage()), e);
        }
    }

    /** A tensor over {@code buffer} (direct, native order, positioned at its first byte). */
    static OnnxTensor tensor(ByteBuffer buffer, long[] shape, OnnxJavaType type) {
        try {
            return OnnxTensor.createTensor(env(), buffer, shape, type);
        } catch (OrtException e) {
            throw new ModelException("cannot create an ONNX Runtime tensor: " + Messages.oneLine(e.getMessage()), e);
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

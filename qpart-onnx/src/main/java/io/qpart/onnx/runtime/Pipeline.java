package io.qpart.onnx.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Something that turns a batch of model inputs into the model's outputs: the whole model in
 * one session, or head and tail sessions run one after the other as device and server run
 * them, with an optional transform of the crossing tensors in between (the upload).
 */
public interface Pipeline extends AutoCloseable {
    /** Runs one batch; returns the model outputs by name. */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs);

    @Override
    void close();

    /** The whole model in one session. */
    static Pipeline whole(OnnxSession session) {
        Objects.requireNonNull(session, "session");
        return new Pipeline() {
            @Override
            public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                return session.run(inputs);
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    /**
     * Head then tail. A null head means the inputs cross as they are (full offload); a null tail
     * means the head's outputs are the model's outputs (full local). {@code upload} sees the
     * crossing tensors of each batch and returns what the tail receives.
     */
    static Pipeline split(OnnxSession head, OnnxSession tail, List<String> crossing, UnaryOperator<Map<String, HostTensor>> upload) {
        List<String> names = List.copyOf(crossing);
        UnaryOperator<Map<String, HostTensor>> transform = upload == null ? UnaryOperator.identity() : upload;
        return new Pipeline() {
            @Override
            public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                Map<String, HostTensor> sent;
                if (head == null) {
                    sent = new LinkedHashMap<>();
                    for (String n : names) {
                        HostTensor t = inputs.get(n);
                        if (t == null) {
                            throw new IllegalArgumentException("crossing tensor '" + n + "' is not among the inputs " + inputs.keySet());
                        }
                        sent.put(n, t);
                    }
                } else {
                    sent = head.run(inputs);
                }
                Map<String, HostTensor> received = transform.apply(sent);
                return tail == null ? received : tail.run(received);
            }

            @Override
            public void close() {
                try {
                    if (head != null) {
                        head.close();
                    }
                } finally {
                    if (tail != null) {
                        tail.close();
                    }
                }
            }
        };
    }
}

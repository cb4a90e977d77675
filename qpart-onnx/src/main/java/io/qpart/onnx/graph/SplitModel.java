package io.qpart.onnx.graph;

import io.qpart.onnx.proto.Onnx;

import java.util.List;
import java.util.Objects;

/**
 * The two halves of a model split at a cut. The head's outputs and the tail's inputs are the
 * crossing tensors, with the same names. At full offload the head computes nothing (the input
 * is what crosses); at full local the tail computes nothing. Such an empty half is still a
 * valid ONNX model (its outputs are its inputs) so that {@code split} always writes two files.
 */
public record SplitModel(Cut cut, Onnx.Model head, Onnx.Model tail, List<String> crossing) {
    public SplitModel {
        Objects.requireNonNull(cut, "cut");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(tail, "tail");
        crossing = List.copyOf(crossing);
    }

    /** The head runs no node: the device uploads the model input as is. */
    public boolean headIsEmpty() {
        return head.getGraph().getNodeCount() == 0;
    }

    /** The tail runs no node: the device computed the model output. */
    public boolean tailIsEmpty() {
        return tail.getGraph().getNodeCount() == 0;
    }
}

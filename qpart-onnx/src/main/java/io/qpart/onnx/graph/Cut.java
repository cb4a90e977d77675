package io.qpart.onnx.graph;

import java.util.List;
import java.util.Objects;

/**
 * One cut of a model (SPEC §2). Index 0 is full offload (the device uploads the model input),
 * the last index is full local (the device runs everything and uploads the output).
 *
 * @param index       cut index, 0..K+1
 * @param position    number of activation nodes in the head
 * @param tensors     the activation tensors that cross the cut (the upload)
 * @param elements    elements per sample of the crossing tensors, {@code n(k)}
 * @param headMacs    MACs per sample on the device side
 * @param tailMacs    MACs per sample on the server side
 * @param headWeights the quantizable weight tensors in the head, with element counts {@code s_j}
 * @param headParams  elements of every float32 initializer the head uses (weights, biases, ...)
 */
public record Cut(int index, int position, List<String> tensors, long elements, long headMacs, long tailMacs,
                  List<WeightRef> headWeights, long headParams) {
    public Cut {
        if (index < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + index);
        }
        if (position < 0) {
            throw new IllegalArgumentException("cut position must be >= 0, was " + position);
        }
        tensors = List.copyOf(tensors);
        headWeights = List.copyOf(headWeights);
        if (elements < 0 || headMacs < 0 || tailMacs < 0 || headParams < 0) {
            throw new IllegalArgumentException("cut sizes must be >= 0");
        }
        Objects.requireNonNull(tensors);
    }

    /** Elements of the quantizable weights in the head, {@code Σ s_j}. */
    public long headWeightParams() {
        long n = 0;
        for (WeightRef w : headWeights) {
            n += w.params();
        }
        return n;
    }
}

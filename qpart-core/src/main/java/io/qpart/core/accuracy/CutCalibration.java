package io.qpart.core.accuracy;

import java.util.List;
import java.util.Objects;

/**
 * Calibration of one cut: which weights its head holds and the noise model of the activation
 * that crosses it (SPEC §4, "the same for the activation at every cut").
 *
 * @param index       cut index (0 = full offload, last = full local)
 * @param position    activation position of the cut
 * @param tensors     the crossing tensors
 * @param elements    crossing elements per sample, {@code n(k)}
 * @param headWeights names of the quantizable weights in the head
 * @param activation  the activation's noise model
 */
public record CutCalibration(int index, int position, List<String> tensors, long elements, List<String> headWeights,
                             TensorCalibration activation) {
    public CutCalibration {
        if (index < 0) {
            throw new IllegalArgumentException("cut index must be >= 0, was " + index);
        }
        tensors = List.copyOf(tensors);
        headWeights = List.copyOf(headWeights);
        Objects.requireNonNull(activation, "activation");
        if (elements < 0) {
            throw new IllegalArgumentException("cut " + index + ": element count must be >= 0, was " + elements);
        }
    }
}

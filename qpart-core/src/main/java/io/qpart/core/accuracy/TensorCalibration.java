package io.qpart.core.accuracy;

import java.util.List;
import java.util.Objects;

/**
 * What calibration measured for one tensor (SPEC §4): a weight tensor, or the activation that
 * crosses a cut.
 *
 * @param name       the weight initializer, or for an activation the crossing tensor(s) joined by ", "
 * @param op         the operator of the weight's first consumer; "activation" for a cut activation
 * @param elements   element count: {@code s_j} for a weight, {@code n(k)} per sample for an activation
 * @param position   activation position of the weight's first consumer, or of the cut
 * @param energy     noise energy per bit-width: the gain fit, plus energies measured below its range
 * @param robustness {@code t(Δa)} on the reported grid
 * @param curve      {@code t(Δa)} on the refined grid that predictions read
 * @param measured   drops measured with this tensor alone quantized, one per measured bit-width (may be empty)
 */
public record TensorCalibration(String name, String op, long elements, int position, EnergyModel energy,
                                RobustnessCurve robustness, RobustnessCurve curve, List<MeasuredDrop> measured) {
    /** The op name used for a cut activation. */
    public static final String ACTIVATION = "activation";

    public TensorCalibration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(energy, "energy");
        Objects.requireNonNull(robustness, "robustness");
        Objects.requireNonNull(curve, "curve");
        measured = List.copyOf(measured);
        if (elements < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': element count must be >= 0, was " + elements);
        }
        if (position < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': position must be >= 0, was " + position);
        }
    }

    /** A calibration without directly measured drops. */
    public TensorCalibration(String name, String op, long elements, int position, EnergyModel energy, RobustnessCurve robustness,
                             RobustnessCurve curve) {
        this(name, op, elements, position, energy, robustness, curve, List.of());
    }

    /** The gain fit. */
    public GainFit fit() {
        return energy.fit();
    }

    /** The SPEC §4 term of this tensor at {@code bits}, read on the refined grid. */
    public NoiseTerm term(int bits) {
        return new NoiseTerm(name, energy.energy(bits), bits, curve);
    }
}

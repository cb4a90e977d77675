package io.qpart.core.accuracy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The calibrated accuracy-degradation model of one model on one calibration set (SPEC §4):
 * per weight tensor and per cut activation a noise gain and a robustness curve.
 *
 * @param estimator          how robustness was measured ("scaled" or "inject")
 * @param samples            calibration samples used
 * @param classes            logits per sample
 * @param floatAccuracy      the float32 model's accuracy on those samples
 * @param drops              the reported drop grid
 * @param curveDrops         the refined grid predictions read
 * @param weights            per quantizable weight, in order of first use
 * @param cuts               per cut, by index
 * @param correlations       measured noise correlations between tensors, or null for SPEC §4's plain additivity
 * @param calibrationSeconds wall time of the calibration
 * @param floatPassSeconds   wall time of one float32 pass over the same samples, same run
 */
public record Calibration(String estimator, int samples, int classes, double floatAccuracy, double[] drops, double[] curveDrops,
                          List<TensorCalibration> weights, List<CutCalibration> cuts, NoiseCorrelations correlations,
                          double calibrationSeconds, double floatPassSeconds) {
    public Calibration {
        Objects.requireNonNull(estimator, "estimator");
        drops = AccuracyModel.checkDrops(drops);
        curveDrops = AccuracyModel.checkDrops(curveDrops);
        weights = List.copyOf(weights);
        cuts = List.copyOf(cuts);
        if (samples < 1) {
            throw new IllegalArgumentException("expected at least one calibration sample, found " + samples);
        }
        if (!(floatAccuracy >= 0 && floatAccuracy <= 1)) {
            throw new IllegalArgumentException("float accuracy must be in [0, 1], was " + floatAccuracy);
        }
        for (int i = 0; i < cuts.size(); i++) {
            if (cuts.get(i).index() != i) {
                throw new IllegalArgumentException("expected cuts 0.." + (cuts.size() - 1) + " in order, found index "
                        + cuts.get(i).index() + " at place " + i);
            }
        }
        Set<String> names = new HashSet<>();
        for (TensorCalibration w : weights) {
            if (!names.add(w.name())) {
                throw new IllegalArgumentException("weight '" + w.name() + "' is calibrated twice");
            }
        }
        for (CutCalibration c : cuts) {
            for (String h : c.headWeights()) {
                if (!names.contains(h)) {
                    throw new IllegalArgumentException("cut " + c.index() + " lists head weight '" + h + "', which has no calibration");
                }
            }
        }
    }

    /** Calibration time over float-pass time. */
    public double ratio() {
        return floatPassSeconds > 0 ? calibrationSeconds / floatPassSeconds : Double.NaN;
    }

    /** The cut with this index, or an error naming the range. */
    public CutCalibration cut(int index) {
        if (index < 0 || index >= cuts.size()) {
            throw new IllegalArgumentException("cut " + index + " is not in the calibration: it has cuts 0.." + (cuts.size() - 1));
        }
        return cuts.get(index);
    }

    /** The weight with this name, or an error. */
    public TensorCalibration weight(String name) {
        for (TensorCalibration w : weights) {
            if (w.name().equals(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException("tensor '" + name + "' is not a calibrated weight of this model");
    }

    /**
     * The SPEC §4 terms of a configuration at {@code cut}: one per head weight (bits from
     * {@code bits}; a head weight not listed stays float32), plus the activation when
     * {@code activationBits < 32}. Names in {@code bits} that are no calibrated weight are refused;
     * weights of the tail are ignored (the server runs float32).
     */
    public List<NoiseTerm> terms(int cut, Map<String, Integer> bits, int activationBits) {
        return terms(cut, bits, activationBits, true);
    }

    /**
     * As {@link #terms(int, Map, int)}; with {@code correlated} and measured correlations each
     * term's energy includes its share of the cross terms ({@link NoiseCorrelations}), else
     * energies add as SPEC §4 states.
     */
    public List<NoiseTerm> terms(int cut, Map<String, Integer> bits, int activationBits, boolean correlated) {
        CutCalibration c = cut(cut);
        List<String> unknown = new ArrayList<>();
        Set<String> all = new HashSet<>();
        weights.forEach(w -> all.add(w.name()));
        for (String n : bits.keySet()) {
            if (!all.contains(n)) {
                unknown.add(n);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(unknown.size() + " tensor name(s) are not calibrated weights of this model: "
                    + String.join(", ", unknown.stream().sorted().limit(5).toList()) + (unknown.size() > 5 ? ", ..." : ""));
        }
        List<NoiseTerm> terms = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String h : c.headWeights()) {
            int b = bits.getOrDefault(h, AccuracyModel.FLOAT_BITS);
            if (b != AccuracyModel.FLOAT_BITS) {
                terms.add(weight(h).term(b));
                keys.add(h);
            }
        }
        if (activationBits != AccuracyModel.FLOAT_BITS) {
            terms.add(c.activation().term(activationBits));
            keys.add(NoiseCorrelations.activationKey(cut));
        }
        return correlated && correlations != null ? correlations.effectiveEnergies(terms, keys) : terms;
    }

    /** Predicted drop of a configuration, read on the refined grid, bound {@code g}, correlations used when measured. */
    public DropPrediction predict(int cut, Map<String, Integer> bits, int activationBits, double g) {
        return predict(cut, bits, activationBits, g, true);
    }

    /** Predicted drop, with or without the measured correlations. */
    public DropPrediction predict(int cut, Map<String, Integer> bits, int activationBits, double g, boolean correlated) {
        return AccuracyModel.predict(terms(cut, bits, activationBits, correlated), curveDrops, g);
    }

    /** {@code drop} with {@code standardErrors} binomial standard errors of this calibration's sample count added. */
    public double withMargin(double drop, double standardErrors) {
        return AccuracyModel.withMargin(drop, standardErrors, samples);
    }

    /**
     * {@code drop} with {@code standardErrors} standard errors of a net drop on this calibration's
     * sample count, counting the changes that cancel ({@link #churnFloor()}); without measured
     * drops the same as {@link #withMargin(double, double)}.
     */
    public double withChurnMargin(double drop, double standardErrors) {
        return AccuracyModel.withMargin(drop, standardErrors, samples, churnFloor());
    }

    /**
     * The fraction of samples whose changes cancel in a measured net drop, pooled over every
     * single-tensor measurement of the calibration: {@code Σ 2 min(gained, fixed) / Σ samples}
     * (0 when nothing was measured).
     */
    public double churnFloor() {
        long cancelled = 0;
        long n = 0;
        List<TensorCalibration> all = new ArrayList<>(weights);
        cuts.forEach(c -> all.add(c.activation()));
        for (TensorCalibration t : all) {
            for (MeasuredDrop d : t.measured()) {
                cancelled += 2L * Math.min(d.gained(), d.fixed());
                n += d.samples();
            }
        }
        return n == 0 ? 0 : (double) cancelled / n;
    }

    /** Uniform bits for every head weight of {@code cut}. */
    public Map<String, Integer> uniform(int cut, int bits) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String h : cut(cut).headWeights()) {
            m.put(h, bits);
        }
        return m;
    }

    @Override
    public double[] drops() {
        return drops.clone();
    }

    @Override
    public double[] curveDrops() {
        return curveDrops.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Calibration c && estimator.equals(c.estimator) && samples == c.samples && classes == c.classes
                && Double.compare(floatAccuracy, c.floatAccuracy) == 0 && Arrays.equals(drops, c.drops)
                && Arrays.equals(curveDrops, c.curveDrops) && weights.equals(c.weights) && cuts.equals(c.cuts)
                && Objects.equals(correlations, c.correlations)
                && Double.compare(calibrationSeconds, c.calibrationSeconds) == 0 && Double.compare(floatPassSeconds, c.floatPassSeconds) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(estimator, samples, weights, cuts);
    }
}

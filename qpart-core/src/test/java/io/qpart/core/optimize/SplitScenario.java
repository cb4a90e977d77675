package io.qpart.core.optimize;

import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.SplitWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic chain of {@code L} layers turned into cut candidates through a {@link CostModel}:
 * the glue that the offline table will provide for real models, written here so that the cut
 * search can be tested against the cost model. Cut 0 uploads the float32 input, cut L runs every
 * layer on the device and uploads the float32 output, cuts 1..L−1 upload the activation after
 * layer k, either jointly optimised (one more tensor of the problem) or at fixed bits.
 */
record SplitScenario(long inputElements, long[] weightElements, long[] activationElements,
                     long[] layerMacs, double[] weightGains, double[] activationGains) {

    /** Metadata bytes per quantized tensor (scale, zero point, shape, bits): a stand-in value. */
    static final long METADATA_BYTES = 24;

    /**
     * Random layers shaped like a small image model: a large input (1e5..1e6 elements), weights
     * and activations of 1e3..1e5 elements, 1e6..1e8 MACs per layer.
     */
    static SplitScenario random(Random random, int layers) {
        long[] weights = new long[layers];
        long[] activations = new long[layers];
        long[] macs = new long[layers];
        double[] weightGains = new double[layers];
        double[] activationGains = new double[layers];
        for (int i = 0; i < layers; i++) {
            weights[i] = Math.round(Math.pow(10, 3 + 2 * random.nextDouble()));
            activations[i] = Math.round(Math.pow(10, 3 + 2 * random.nextDouble()));
            macs[i] = Math.round(Math.pow(10, 6 + 2 * random.nextDouble()));
            weightGains[i] = Math.pow(4, 5) * Math.pow(10, 2 * random.nextDouble() - 1) / layers;
            activationGains[i] = Math.pow(4, 5) * Math.pow(10, 2 * random.nextDouble() - 1) / 2;
        }
        return new SplitScenario(Math.round(Math.pow(10, 5 + random.nextDouble())), weights,
                activations, macs, weightGains, activationGains);
    }

    int layers() {
        return weightElements.length;
    }

    /**
     * Candidates for cuts 0..L under {@code model}; {@code activationBits} 0 optimises the
     * activation jointly, otherwise it is sent at that many bits.
     */
    List<CutCandidate> candidates(CostModel model, int activationBits) {
        int layers = layers();
        long totalMacs = 0;
        for (long m : layerMacs) {
            totalMacs += m;
        }
        List<CutCandidate> candidates = new ArrayList<>();
        long headMacs = 0;
        for (int k = 0; k <= layers; k++) {
            if (k > 0) {
                headMacs += layerMacs[k - 1];
            }
            List<TensorTerm> terms = new ArrayList<>();
            List<Double> secondsPerBit = new ArrayList<>();
            List<Double> memoryPerBit = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                // SPEC §6: c_j = s_j (ω/R_dl + ξ P_rx/R_dl + ε)
                terms.add(TensorTerm.of(weightElements[i],
                        weightElements[i] * model.downloadObjectivePerBit(), weightGains[i]));
                secondsPerBit.add(weightElements[i] * model.downloadSecondsPerBit());
                memoryPerBit.add(weightElements[i] / 8.0);
            }
            long downloadBytes = k * METADATA_BYTES;
            long uploadBytes;
            boolean interior = k > 0 && k < layers;
            if (k == 0) {
                uploadBytes = 4 * inputElements;
            } else if (!interior) {
                uploadBytes = 4 * activationElements[layers - 1];
            } else if (activationBits == 0) {
                long n = activationElements[k - 1];
                // SPEC §6: c_a = n(k) (ω/R_ul + ξ P_tx/R_ul + ε)
                terms.add(TensorTerm.of(n, n * model.uploadObjectivePerBit(),
                        activationGains[k - 1]));
                secondsPerBit.add(n * model.uploadSecondsPerBit());
                memoryPerBit.add(0.0);
                uploadBytes = METADATA_BYTES;
            } else {
                uploadBytes = METADATA_BYTES + (activationElements[k - 1] * activationBits + 7) / 8;
            }
            CostBreakdown fixed = model.evaluate(SplitWorkload.of(downloadBytes, uploadBytes,
                    headMacs, totalMacs - headMacs));
            BitAllocationProblem problem = BitAllocationProblem.of(terms);
            candidates.add(CutCandidate.of(k, fixed.objective(), problem,
                    new LinearForm(fixed.totalSeconds(), toArray(secondsPerBit)),
                    new LinearForm(downloadBytes, toArray(memoryPerBit))));
        }
        return candidates;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

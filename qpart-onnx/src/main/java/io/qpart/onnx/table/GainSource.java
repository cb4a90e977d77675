package io.qpart.onnx.table;

/** The accuracy model's gains {@code g = p / t(Δa)} (SPEC §4), at each drop of the table's grid. */
public interface GainSource {
    /** g of a weight tensor at each grid drop. */
    double[] weightGains(String tensor);

    /** g of the activation crossing a cut at each grid drop. */
    double[] activationGains(int cut);
}

package io.qpart.core.table;

import java.util.Arrays;
import java.util.Locale;

/** The decision strategies: QPART and the baselines of SPEC §8, selectable by name. */
public enum Strategy {
    /** The verified table entry with the lowest objective over every cut (SPEC §7, Algorithm 2). */
    QPART("qpart"),
    /** Cut 0: the raw input is uploaded in float32, the server runs everything. */
    SERVER_ONLY("server-only"),
    /** The last cut with the float32 model downloaded whole. */
    DEVICE_ONLY("device-only"),
    /** The best cut with float32 weights and activations (Neurosurgeon's choice). */
    PARTITION_ONLY("partition-only"),
    /** The best cut with every head weight and the activation at 8 bits. */
    UNIFORM8("uniform8"),
    /** The best cut with the smallest uniform bit-width the accuracy model accepts for Δa. */
    UNIFORM_MIN("uniform-min"),
    /** The best cut with SQNR-style bits (Lin et al. 2016: log4 of the size ratio, no sensitivity), 8-bit activation. */
    SQNR("sqnr");

    private final String id;

    Strategy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Looks a strategy up by its name. */
    public static Strategy of(String name) {
        for (Strategy s : values()) {
            if (s.id.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Strategy::id).toList());
    }
}

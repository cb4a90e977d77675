package io.qpart.core.optimize;

/** Argument checks shared by this package; messages say what was expected and what was found. */
final class Checks {

    private Checks() {
    }

    static double positive(String what, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, was " + value);
        }
        return value;
    }

    static double nonNegative(String what, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, was " + value);
        }
        return value;
    }

    static void length(String what, int expected, int found) {
        if (expected != found) {
            throw new IllegalArgumentException(what + " must have one entry per tensor ("
                    + expected + "), had " + found);
        }
    }
}

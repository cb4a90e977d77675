package io.qpart.core.table;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One solved and verified (cut, Δa, activation bits) entry of the table (SPEC §7).
 *
 * @param drop            the accuracy budget Δa of the grid point (fraction)
 * @param activationBits  bits of the uploaded activation (32 = float32)
 * @param bits            bits of every quantizable head weight
 * @param budget          the G the entry was finally solved with (1, or tightened by verification)
 * @param predictedDrop   the accuracy model's drop for this configuration (fraction)
 * @param calibrationDrop the drop measured on the calibration set when the table was built
 * @param downloadBytes   exact bytes of the head container
 * @param uploadBytes     exact bytes of one activation frame
 * @param headId          content hash of the head container (what a device may already hold)
 */
public record TableEntry(double drop, int activationBits, Map<String, Integer> bits, double budget, double predictedDrop,
                         double calibrationDrop, long downloadBytes, long uploadBytes, String headId) {
    public TableEntry {
        if (!(drop > 0 && drop < 1)) {
            throw new IllegalArgumentException("entry drop must be in (0, 1), was " + drop);
        }
        bits = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(bits));
        Objects.requireNonNull(headId, "headId");
        if (downloadBytes < 0 || uploadBytes < 0) {
            throw new IllegalArgumentException("payload sizes must be >= 0");
        }
    }
}

package io.qpart.core.table;

import io.qpart.core.cost.CostBreakdown;

import java.util.Map;

/**
 * What the server decided for one query.
 *
 * @param snappedDrop     the grid Δa the query's budget was snapped down to (NaN when below the grid)
 * @param predictedDrop   the accuracy model's drop (fraction)
 * @param calibrationDrop the drop measured on the calibration set when the table was built (NaN for baselines)
 * @param headHeld        the device already holds this head: no download
 * @param fallback        nothing met the budget and constraints: full offload was chosen
 */
public record Decision(Strategy strategy, int cut, Map<String, Integer> bits, int activationBits, double snappedDrop,
                       double predictedDrop, double calibrationDrop, long downloadBytes, long fp32DownloadBytes, long uploadBytes,
                       long fp32UploadBytes, String headId, boolean headHeld, boolean fallback, CostBreakdown cost) {
    /** {@code bits} must be an unmodifiable map; it is kept as given (the lookup's hot path does not copy it). */
    public Decision {
        java.util.Objects.requireNonNull(bits, "bits");
    }
}

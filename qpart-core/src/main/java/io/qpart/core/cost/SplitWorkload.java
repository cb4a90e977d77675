package io.qpart.core.cost;

/**
 * What one split of one query moves and computes: the inputs of the cost model (SPEC §5).
 *
 * @param downloadBytes bytes of the head sent to the device (payload as received)
 * @param uploadBytes   bytes the device sends back (the activation at the cut, or the output)
 * @param headMacs      MACs the device runs
 * @param tailMacs      MACs the server runs
 * @param headHeld      true when the device already holds this head (same model, cut and bits):
 *                      then the download costs nothing (SPEC §5)
 */
public record SplitWorkload(long downloadBytes, long uploadBytes, long headMacs, long tailMacs,
                            boolean headHeld) {

    public SplitWorkload {
        Checks.nonNegative("downloadBytes", downloadBytes);
        Checks.nonNegative("uploadBytes", uploadBytes);
        Checks.nonNegative("headMacs", headMacs);
        Checks.nonNegative("tailMacs", tailMacs);
    }

    /** A workload whose head still has to be downloaded. */
    public static SplitWorkload of(long downloadBytes, long uploadBytes, long headMacs,
                                   long tailMacs) {
        return new SplitWorkload(downloadBytes, uploadBytes, headMacs, tailMacs, false);
    }

    /** The bytes that actually cross the downlink: zero when the head is held. */
    public long effectiveDownloadBytes() {
        return headHeld ? 0 : downloadBytes;
    }
}

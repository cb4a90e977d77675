package io.qpart.core.cost;

/**
 * The link between device and server (SPEC §5): an uplink rate (device to server) and a downlink
 * rate (server to device), in bits per second.
 *
 * @param name                  a label, non-blank
 * @param uplinkBitsPerSecond   R_ul, {@code > 0}
 * @param downlinkBitsPerSecond R_dl, {@code > 0}
 */
public record ChannelProfile(String name, double uplinkBitsPerSecond,
                             double downlinkBitsPerSecond) {

    public ChannelProfile {
        Checks.name("channel", name);
        Checks.positive("channel '" + name + "' uplinkBitsPerSecond", uplinkBitsPerSecond);
        Checks.positive("channel '" + name + "' downlinkBitsPerSecond", downlinkBitsPerSecond);
    }

    /**
     * Shannon capacity {@code B · log2(1 + SNR)} in bits per second (SPEC §5).
     *
     * @param bandwidthHz B, {@code > 0}
     * @param snrLinear   signal-to-noise ratio as a power ratio (not decibels), {@code > 0}
     */
    public static double shannonBitsPerSecond(double bandwidthHz, double snrLinear) {
        Checks.positive("bandwidthHz", bandwidthHz);
        Checks.positive("snrLinear (a power ratio, not dB)", snrLinear);
        return bandwidthHz * Math.log1p(snrLinear) / Math.log(2.0);
    }

    /** A symmetric channel whose two directions both run at {@code B · log2(1 + SNR)}. */
    public static ChannelProfile fromShannon(String name, double bandwidthHz, double snrLinear) {
        double rate = shannonBitsPerSecond(bandwidthHz, snrLinear);
        return new ChannelProfile(name, rate, rate);
    }

    /** A channel whose uplink and downlink each run at their own Shannon capacity. */
    public static ChannelProfile fromShannon(String name, double uplinkBandwidthHz,
                                             double uplinkSnrLinear, double downlinkBandwidthHz,
                                             double downlinkSnrLinear) {
        return new ChannelProfile(name, shannonBitsPerSecond(uplinkBandwidthHz, uplinkSnrLinear),
                shannonBitsPerSecond(downlinkBandwidthHz, downlinkSnrLinear));
    }

    /** The same channel with both rates multiplied by {@code factor} ({@code > 0}). */
    public ChannelProfile withRatesScaledBy(double factor) {
        Checks.positive("rate scale factor", factor);
        return new ChannelProfile(name, uplinkBitsPerSecond * factor,
                downlinkBitsPerSecond * factor);
    }
}

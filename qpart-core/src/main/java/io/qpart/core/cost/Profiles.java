package io.qpart.core.cost;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Named example profiles for devices, channels and servers.
 *
 * <p><b>Every number here is this project's own choice of a plausible order of magnitude, not a
 * value from the QPART paper</b> (whose exact settings are unknown); {@code docs/decision.md}
 * tabulates them. Real deployments should measure their own.
 *
 * <table>
 *   <caption>Devices (our defaults)</caption>
 *   <tr><th>name</th><th>f (Hz)</th><th>γ (cycles/MAC)</th><th>F_dev (MAC/s)</th>
 *       <th>κ (J/(cycle·Hz²))</th><th>J per MAC</th><th>P_tx (W)</th><th>P_rx (W)</th>
 *       <th>memory</th></tr>
 *   <tr><td>iot</td><td>100e6</td><td>2</td><td>50e6</td><td>3e-26</td><td>6e-10</td>
 *       <td>0.25</td><td>0.08</td><td>1 MiB</td></tr>
 *   <tr><td>phone</td><td>2.5e9</td><td>0.125</td><td>20e9</td><td>1.6e-28</td><td>1.25e-10</td>
 *       <td>1.0</td><td>0.6</td><td>1 GiB</td></tr>
 *   <tr><td>jetson</td><td>1e9</td><td>0.005</td><td>200e9</td><td>1.5e-26</td><td>7.5e-11</td>
 *       <td>1.5</td><td>1.0</td><td>8 GiB</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Channels (our defaults), bits per second</caption>
 *   <tr><th>name</th><th>uplink</th><th>downlink</th></tr>
 *   <tr><td>nbiot</td><td>60e3</td><td>30e3</td></tr>
 *   <tr><td>lte</td><td>10e6</td><td>50e6</td></tr>
 *   <tr><td>wifi</td><td>50e6</td><td>100e6</td></tr>
 *   <tr><td>5g</td><td>100e6</td><td>500e6</td></tr>
 * </table>
 *
 * <p>Server (our default): {@code edge}, 5e12 MAC/s, price 1e-3 cost units per second.
 */
public final class Profiles {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    // Our defaults, not the paper's (see the class comment).
    private static final Map<String, DeviceProfile> DEVICES = Map.of(
            "iot", new DeviceProfile("iot", 100e6, 2.0, 3e-26, 0.25, 0.08,
                    OptionalLong.of(MIB)),
            "phone", new DeviceProfile("phone", 2.5e9, 0.125, 1.6e-28, 1.0, 0.6,
                    OptionalLong.of(GIB)),
            "jetson", new DeviceProfile("jetson", 1e9, 0.005, 1.5e-26, 1.5, 1.0,
                    OptionalLong.of(8 * GIB)));

    // Our defaults, not the paper's: uplink, downlink in bits per second.
    private static final Map<String, ChannelProfile> CHANNELS = Map.of(
            "nbiot", new ChannelProfile("nbiot", 60e3, 30e3),
            "lte", new ChannelProfile("lte", 10e6, 50e6),
            "wifi", new ChannelProfile("wifi", 50e6, 100e6),
            "5g", new ChannelProfile("5g", 100e6, 500e6));

    // Our default, not the paper's.
    private static final Map<String, ServerProfile> SERVERS = Map.of(
            "edge", new ServerProfile("edge", 5e12, 1e-3));

    private Profiles() {
    }

    /** The device profile called {@code name}; the error lists the known names. */
    public static DeviceProfile device(String name) {
        return lookup("device", DEVICES, name);
    }

    /** The channel profile called {@code name}; the error lists the known names. */
    public static ChannelProfile channel(String name) {
        return lookup("channel", CHANNELS, name);
    }

    /** The server profile called {@code name}; the error lists the known names. */
    public static ServerProfile server(String name) {
        return lookup("server", SERVERS, name);
    }

    /** Names accepted by {@link #device(String)}, sorted. */
    public static SortedSet<String> deviceNames() {
        return sortedNames(DEVICES);
    }

    /** Names accepted by {@link #channel(String)}, sorted. */
    public static SortedSet<String> channelNames() {
        return sortedNames(CHANNELS);
    }

    /** Names accepted by {@link #server(String)}, sorted. */
    public static SortedSet<String> serverNames() {
        return sortedNames(SERVERS);
    }

    private static <T> T lookup(String kind, Map<String, T> known, String name) {
        T found = name == null ? null : known.get(name);
        if (found == null) {
            throw new IllegalArgumentException("unknown " + kind + " profile "
                    + (name == null ? "null" : "'" + name + "'") + "; known: "
                    + String.join(", ", sortedNames(known)));
        }
        return found;
    }

    private static SortedSet<String> sortedNames(Map<String, ?> known) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(known.keySet()));
    }
}

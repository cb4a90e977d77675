package io.qpart.cli;

import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** {@code qpart experiment channel}: the optimal cut and its cost as the channel rate goes from 1 Mbit/s to 1 Gbit/s (SPEC §9). */
@Command(name = "channel", mixinStandardHelpOptions = true,
        description = {"Sweep the channel rate log-spaced (default 1 Mbit/s to 1 Gbit/s): the optimal cut, objective, latency and device",
                "energy of every strategy, and the rates at which the optimal cut moves. The swept rate is the downlink;",
                "the uplink is --uplink-ratio times it (default 1: a symmetric channel)."})
final class ChannelExperiment extends SweepExperiment {
    @Option(names = "--min-rate", paramLabel = "BIT/S", description = "Lowest downlink rate (default: ${DEFAULT-VALUE}).")
    double minRate = 1e6;

    @Option(names = "--max-rate", paramLabel = "BIT/S", description = "Highest downlink rate (default: ${DEFAULT-VALUE}).")
    double maxRate = 1e9;

    @Option(names = "--uplink-ratio", paramLabel = "R", description = "Uplink rate over downlink rate (default: ${DEFAULT-VALUE}, symmetric).")
    double uplinkRatio = 1;

    @Override
    String name() {
        return "channel";
    }

    @Override
    double[] bounds() {
        if (!(uplinkRatio > 0) || !Double.isFinite(uplinkRatio)) {
            throw new IllegalArgumentException("--uplink-ratio must be > 0, was " + uplinkRatio);
        }
        return new double[]{minRate, maxRate};
    }

    @Override
    CostModel costAt(double x) {
        ChannelProfile ch = new ChannelProfile("sweep", x * uplinkRatio, x);
        return new CostModel(deviceProfile(), ch, serverProfile(), objectiveWeights());
    }

    @Override
    String column() {
        return "downlinkBitsPerSecond";
    }

    @Override
    String axis() {
        return uplinkRatio == 1 ? "channel rate, both directions (bit/s)" : "downlink rate (bit/s; uplink = " + g(uplinkRatio) + " × downlink)";
    }

    @Override
    String sweptWhat() {
        return uplinkRatio == 1 ? "Channel rate (symmetric: uplink = downlink)" : "Downlink rate (uplink = " + g(uplinkRatio) + " × downlink)";
    }

    @Override
    double nominal() {
        return uplinkRatio == 1 ? Double.NaN : channelProfile().downlinkBitsPerSecond();
    }

    @Override
    List<String> extraColumns() {
        return List.of("uplinkBitsPerSecond");
    }

    @Override
    List<Object> extraValues(double x) {
        return List.of(x * uplinkRatio);
    }

    @Override
    String context() {
        return "device " + device;
    }

    @Override
    String fmt(double x) {
        return si(x, "bit/s");
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = super.parameters();
        p.remove("channel");
        p.put("uplinkRatio", uplinkRatio);
        return p;
    }
}

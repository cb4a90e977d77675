package io.qpart.cli;

import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.DeviceProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code qpart experiment device}: the optimal cut and its cost as the device's MAC rate varies (SPEC §9). */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Sweep the device's MAC rate log-spaced (default 1 MMAC/s to 1 TMAC/s) with the profile's energy per MAC and",
                "radio powers: the optimal cut and objective of every strategy, and where the optimal cut moves."})
final class DeviceExperiment extends SweepExperiment {
    @Option(names = "--min-macs", paramLabel = "MAC/S", description = "Lowest MAC rate (default: ${DEFAULT-VALUE}).")
    double minMacs = 1e6;

    @Option(names = "--max-macs", paramLabel = "MAC/S", description = "Highest MAC rate (default: ${DEFAULT-VALUE}).")
    double maxMacs = 1e12;

    @Override
    String name() {
        return "device";
    }

    @Override
    double[] bounds() {
        return new double[]{minMacs, maxMacs};
    }

    @Override
    CostModel costAt(double x) {
        DeviceProfile base = deviceProfile();
        DeviceProfile d = DeviceProfile.fromMacRate(base.name(), x, base.joulesPerMac(), base.transmitPowerWatts(), base.receivePowerWatts(),
                base.memoryBytes());
        return new CostModel(d, channelProfile(), serverProfile(), objectiveWeights());
    }

    @Override
    String column() {
        return "deviceMacsPerSecond";
    }

    @Override
    String axis() {
        return "device speed F_dev (MAC/s)";
    }

    @Override
    String sweptWhat() {
        return "Device MAC rate (energy per MAC and radio powers of the '" + device + "' profile)";
    }

    @Override
    double nominal() {
        return deviceProfile().macsPerSecond();
    }

    @Override
    List<String> extraColumns() {
        return List.of("joulesPerMac");
    }

    @Override
    List<Object> extraValues(double x) {
        return List.of(deviceProfile().joulesPerMac());
    }

    @Override
    String context() {
        return "channel " + channel;
    }

    @Override
    String fmt(double x) {
        return si(x, "MAC/s");
    }
}

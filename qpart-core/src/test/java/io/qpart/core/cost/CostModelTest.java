package io.qpart.core.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CostModelTest {

    // f = 1 GHz, γ = 0.5 → F_dev = 2e9 MAC/s; κ = 1e-27 → 1e-9 J/cycle, 5e-10 J/MAC
    private static final DeviceProfile DEVICE =
            new DeviceProfile("test", 1e9, 0.5, 1e-27, 2.0, 1.0, OptionalLong.empty());
    private static final ChannelProfile CHANNEL = new ChannelProfile("test", 1e6, 4e6);
    private static final ServerProfile SERVER = new ServerProfile("test", 1e12, 0.5);
    private static final ObjectiveWeights WEIGHTS = new ObjectiveWeights(1, 2, 3, 1e-6);
    private static final CostModel MODEL = new CostModel(DEVICE, CHANNEL, SERVER, WEIGHTS);

    @Test
    void handComputedExample() {
        // SPEC §5 by hand: T_dl = 8·500000/4e6 = 1 s, T_dev = 1e9/2e9 = 0.5 s,
        // T_ul = 8·125000/1e6 = 1 s, T_srv = 2e12/1e12 = 2 s, T = 4.5 s;
        // E = 5e-10·1e9 + 2·1 + 1·1 = 3.5 J; Cost = 0.5·2 = 1; bits = 8·625000 = 5e6;
        // J = 1·4.5 + 2·3.5 + 3·1 + 1e-6·5e6 = 19.5
        CostBreakdown c = MODEL.evaluate(500_000, 125_000, 1_000_000_000L, 2_000_000_000_000L);
        assertThat(c.downloadSeconds()).isCloseTo(1.0, within(1e-12));
        assertThat(c.deviceSeconds()).isCloseTo(0.5, within(1e-12));
        assertThat(c.uploadSeconds()).isCloseTo(1.0, within(1e-12));
        assertThat(c.serverSeconds()).isCloseTo(2.0, within(1e-12));
        assertThat(c.totalSeconds()).isCloseTo(4.5, within(1e-12));
        assertThat(c.computeEnergyJoules()).isCloseTo(0.5, within(1e-12));
        assertThat(c.transmitEnergyJoules()).isCloseTo(2.0, within(1e-12));
        assertThat(c.receiveEnergyJoules()).isCloseTo(1.0, within(1e-12));
        assertThat(c.deviceEnergyJoules()).isCloseTo(3.5, within(1e-12));
        assertThat(c.serverCost()).isCloseTo(1.0, within(1e-12));
        assertThat(c.bitsOnAir()).isEqualTo(5_000_000L);
        assertThat(c.objective()).isCloseTo(19.5, within(1e-12));
    }

    @Test
    void heldHeadCostsNoDownload() {
        // T = 0 + 0.5 + 1 + 2 = 3.5; E = 0.5 + 2 + 0 = 2.5; bits = 1e6;
        // J = 3.5 + 5 + 3 + 1 = 12.5
        CostBreakdown c = MODEL.evaluate(
                new SplitWorkload(500_000, 125_000, 1_000_000_000L, 2_000_000_000_000L, true));
        assertThat(c.downloadSeconds()).isZero();
        assertThat(c.receiveEnergyJoules()).isZero();
        assertThat(c.totalSeconds()).isCloseTo(3.5, within(1e-12));
        assertThat(c.deviceEnergyJoules()).isCloseTo(2.5, within(1e-12));
        assertThat(c.bitsOnAir()).isEqualTo(1_000_000L);
        assertThat(c.objective()).isCloseTo(12.5, within(1e-12));
    }

    @Test
    void perBitCoefficientsAreTheSlopeOfTheObjective() {
        // SPEC §6: c_j = s_j (ω/R_dl + ξ P_rx/R_dl + ε), c_a = n (ω/R_ul + ξ P_tx/R_ul + ε)
        assertThat(MODEL.downloadObjectivePerBit())
                .isCloseTo(1 / 4e6 + 2 * 1.0 / 4e6 + 1e-6, within(1e-18));
        assertThat(MODEL.uploadObjectivePerBit())
                .isCloseTo(1 / 1e6 + 2 * 2.0 / 1e6 + 1e-6, within(1e-18));
        CostBreakdown base = MODEL.evaluate(1000, 400, 123_456_789L, 987_654_321L);
        CostBreakdown more = MODEL.evaluate(1000 + 3000, 400 + 50, 123_456_789L, 987_654_321L);
        double expected = base.objective() + 8 * 3000 * MODEL.downloadObjectivePerBit()
                + 8 * 50 * MODEL.uploadObjectivePerBit();
        assertThat(more.objective()).isCloseTo(expected, within(1e-12));
        assertThat(MODEL.downloadSecondsPerBit()).isEqualTo(1 / 4e6);
        assertThat(MODEL.uploadSecondsPerBit()).isEqualTo(1 / 1e6);
    }

    @Test
    void latencyOnlyObjectiveIsTheLatency() {
        CostModel model = new CostModel(DEVICE, CHANNEL, SERVER, ObjectiveWeights.latencyOnly());
        CostBreakdown c = model.evaluate(777, 3333, 5_000_000L, 9_000_000L);
        assertThat(c.objective()).isEqualTo(c.totalSeconds());
    }

    @Test
    void fullOffloadUsesNoDeviceComputeEnergy() {
        CostBreakdown c = MODEL.evaluate(0, 1000, 0, 1_000_000L);
        assertThat(c.computeEnergyJoules()).isZero();
        assertThat(c.deviceSeconds()).isZero();
        assertThat(c.receiveEnergyJoules()).isZero();
    }

    @Test
    void deviceFromMacRateKeepsItsNumbers() {
        DeviceProfile d = DeviceProfile.fromMacRate("m", 3e9, 2e-11, 1, 1, OptionalLong.of(1024));
        assertThat(d.macsPerSecond()).isCloseTo(3e9, within(1e-3));
        assertThat(d.joulesPerMac()).isCloseTo(2e-11, within(1e-24));
        assertThat(d.memoryBytes()).hasValue(1024);
        assertThat(d.withoutMemoryLimit().memoryBytes()).isEmpty();
        assertThat(d.withMemoryBytes(7).memoryBytes()).hasValue(7);
    }

    @Test
    void shannonRate() {
        // B log2(1 + SNR): 1 MHz at SNR 15 → 4 Mbit/s
        assertThat(ChannelProfile.shannonBitsPerSecond(1e6, 15)).isCloseTo(4e6, within(1e-6));
        ChannelProfile c = ChannelProfile.fromShannon("s", 1e6, 3, 2e6, 15);
        assertThat(c.uplinkBitsPerSecond()).isCloseTo(2e6, within(1e-6));
        assertThat(c.downlinkBitsPerSecond()).isCloseTo(8e6, within(1e-6));
        ChannelProfile symmetric = ChannelProfile.fromShannon("s", 1e6, 1);
        assertThat(symmetric.uplinkBitsPerSecond()).isCloseTo(1e6, within(1e-6));
        assertThat(symmetric.withRatesScaledBy(2).downlinkBitsPerSecond())
                .isCloseTo(2e6, within(1e-6));
        assertThatThrownBy(() -> ChannelProfile.shannonBitsPerSecond(1e6, 0))
                .hasMessageContaining("snrLinear").hasMessageContaining("was 0.0");
    }

    @Test
    void validationSaysExpectedAndFound() {
        assertThatThrownBy(() -> new ChannelProfile("x", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uplinkBitsPerSecond must be finite and > 0, was 0.0");
        assertThatThrownBy(() -> new ChannelProfile("x", 1, Double.POSITIVE_INFINITY))
                .hasMessageContaining("downlinkBitsPerSecond");
        assertThatThrownBy(() -> new ChannelProfile(" ", 1, 1))
                .hasMessageContaining("non-blank");
        assertThatThrownBy(() -> new DeviceProfile("d", 1e9, 1, 1e-27, -1, 0,
                OptionalLong.empty()))
                .hasMessageContaining("transmitPowerWatts must be finite and >= 0, was -1.0");
        assertThatThrownBy(() -> new DeviceProfile("d", Double.NaN, 1, 1e-27, 1, 0,
                OptionalLong.empty())).hasMessageContaining("frequencyHz");
        assertThatThrownBy(() -> new DeviceProfile("d", 1e9, 1, 1e-27, 1, 0,
                OptionalLong.of(0))).hasMessageContaining("memoryBytes must be > 0");
        assertThatThrownBy(() -> new ServerProfile("s", -5, 0))
                .hasMessageContaining("macsPerSecond");
        assertThatThrownBy(() -> new ServerProfile("s", 5, -1))
                .hasMessageContaining("pricePerSecond");
        assertThatThrownBy(() -> new ObjectiveWeights(0, 0, 0, 0))
                .hasMessageContaining("must not all be zero");
        assertThatThrownBy(() -> new ObjectiveWeights(-1, 1, 0, 0))
                .hasMessageContaining("omegaPerSecond");
        assertThatThrownBy(() -> new SplitWorkload(-1, 0, 0, 0, false))
                .hasMessageContaining("downloadBytes must be >= 0, was -1");
        assertThatThrownBy(() -> MODEL.evaluate(Long.MAX_VALUE, 1, 0, 0))
                .hasMessageContaining("overflow");
    }
}

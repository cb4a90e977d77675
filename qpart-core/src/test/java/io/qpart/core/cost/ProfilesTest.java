package io.qpart.core.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfilesTest {

    @ParameterizedTest
    @CsvSource({"iot, 50e6", "phone, 20e9", "jetson, 200e9"})
    void deviceMacRates(String name, double macsPerSecond) {
        DeviceProfile d = Profiles.device(name);
        assertThat(d.name()).isEqualTo(name);
        assertThat(d.macsPerSecond()).isCloseTo(macsPerSecond, within(macsPerSecond * 1e-12));
        assertThat(d.memoryBytes()).isPresent();
    }

    @Test
    void fasterDevicesSpendLessEnergyPerMac() {
        assertThat(Profiles.device("iot").joulesPerMac())
                .isGreaterThan(Profiles.device("phone").joulesPerMac());
        assertThat(Profiles.device("phone").joulesPerMac())
                .isGreaterThan(Profiles.device("jetson").joulesPerMac());
    }

    @ParameterizedTest
    @CsvSource({"nbiot, 60e3, 30e3", "lte, 10e6, 50e6", "wifi, 50e6, 100e6", "5g, 100e6, 500e6"})
    void channelRates(String name, double uplink, double downlink) {
        ChannelProfile c = Profiles.channel(name);
        assertThat(c.uplinkBitsPerSecond()).isEqualTo(uplink);
        assertThat(c.downlinkBitsPerSecond()).isEqualTo(downlink);
    }

    @Test
    void edgeServer() {
        assertThat(Profiles.server("edge").macsPerSecond()).isEqualTo(5e12);
        assertThat(Profiles.serverNames()).containsExactly("edge");
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> Profiles.device("toaster"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown device profile 'toaster'; known: iot, jetson, phone");
        assertThatThrownBy(() -> Profiles.channel("6g"))
                .hasMessage("unknown channel profile '6g'; known: 5g, lte, nbiot, wifi");
        assertThatThrownBy(() -> Profiles.server(null))
                .hasMessage("unknown server profile null; known: edge");
        assertThat(Profiles.deviceNames()).containsExactly("iot", "jetson", "phone");
        assertThat(Profiles.channelNames()).containsExactly("5g", "lte", "nbiot", "wifi");
    }
}

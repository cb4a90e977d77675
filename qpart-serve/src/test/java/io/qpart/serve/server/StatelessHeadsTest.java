package io.qpart.serve.server;

import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.serve.Fixtures;
import io.qpart.serve.RawHttp;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceRun;
import io.qpart.serve.device.Plan;
import io.qpart.serve.device.PlanRequest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two servers of the same models: a device may plan on one and fetch heads and infer on the other. */
class StatelessHeadsTest {
    @Test
    void headsPlannedOnOneServerAreServedByAnother() throws Exception {
        try (QpartServer a = QpartServer.start(List.of(Fixtures.served("cnn")), ServerConfig.loopback());
             QpartServer b = QpartServer.start(List.of(Fixtures.served("cnn")), ServerConfig.loopback())) {
            assertThat(a.awaitReady(60, TimeUnit.SECONDS) && b.awaitReady(60, TimeUnit.SECONDS)).isTrue();
            Plan p;
            try (DeviceClient d = new DeviceClient(a.uri(), Channel.none(), 1)) {
                // a baseline's head is in no table: only its path tells server b how to build it
                p = d.plan(PlanRequest.of("cnn", 0.01, "phone", Profiles.channel("lte")).withForcedCut(2).withStrategy("uniform8"));
            }
            RawHttp.Answer viaB = RawHttp.send(b.port(), "GET " + p.headPath() + " HTTP/1.1\r\nHost: x", null);
            assertThat(viaB.status()).as(viaB.text()).isEqualTo(200);
            assertThat(io.qpart.core.wire.HeadContainer.decode(viaB.body()).id()).isEqualTo(p.headId());
            RawHttp.Answer bare = RawHttp.send(b.port(), "GET /v1/heads/" + "0".repeat(64) + " HTTP/1.1\r\nHost: x", null);
            assertThat(bare.status()).isEqualTo(404);
            String wrongBits = p.headPath().replace("%3A8", "%3A7");
            assertThat(wrongBits).isNotEqualTo(p.headPath());
            RawHttp.Answer wrong = RawHttp.send(b.port(), "GET " + wrongBits.replace(p.headId(), "1".repeat(64)) + " HTTP/1.1\r\nHost: x", null);
            assertThat(wrong.status()).as(wrong.text()).isEqualTo(404);
            RawHttp.Answer notAWeight = RawHttp.send(b.port(), "GET /v1/heads/" + "2".repeat(64) + "?model=cnn&cut=2&bits=%7B%22nope%22%3A8%7D HTTP/1.1\r\nHost: x", null);
            assertThat(notAWeight.status()).as(notAWeight.text()).isEqualTo(400);

            // planning on either server names the same head, and runs on either give the same predictions
            ServedModel m = Fixtures.served("cnn");
            Dataset data = Fixtures.data(m.model(), 20);
            PlanRequest req = PlanRequest.of("cnn", 0.01, "phone", Profiles.channel("lte")).withForcedCut(2);
            int[] onA;
            try (DeviceClient d = new DeviceClient(a.uri(), Channel.none(), 1)) {
                onA = DeviceRun.run(d, req, data, 1).predictions();
            }
            try (DeviceClient planner = new DeviceClient(a.uri(), Channel.none(), 1);
                 DeviceClient runner = new DeviceClient(b.uri(), Channel.none(), 1)) {
                Plan fromA = planner.plan(req);
                assertThat(URI.create("http://x" + fromA.inferPath()).getQuery()).contains("cut=2");
                DeviceRun onB = DeviceRun.run(runner, req, data, 1);
                assertThat(onB.plan().headId()).isEqualTo(fromA.headId());
                assertThat(onB.predictions()).containsExactly(onA);
            }
        }
    }
}

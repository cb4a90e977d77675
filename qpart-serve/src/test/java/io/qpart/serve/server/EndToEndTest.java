package io.qpart.serve.server;

import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.runtime.Evaluation;
import io.qpart.onnx.runtime.Pipeline;
import io.qpart.serve.Fixtures;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceRun;
import io.qpart.serve.device.PlanRequest;
import io.qpart.serve.model.ConfiguredSplit;
import io.qpart.serve.model.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;


import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Server and device on loopback: device predictions equal the in-process split pipeline of the same configuration. */
class EndToEndTest {
    static final int SAMPLES = 200;
    static QpartServer server;

    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.mlpAndCnnServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} cut {1} budget {2}")
    @CsvSource({"mlp, -1, 0.01", "mlp, 1, 0.005", "mlp, 2, 0.02", "cnn, 1, 0.01", "cnn, 2, 0.005", "cnn, 4, 0.01"})
    void devicePredictionsEqualTheInProcessPipeline(String model, int cut, double budget) throws Exception {
        ServedModel m = Fixtures.served(model);
        LoadedModel lm = m.model();
        Dataset data = Fixtures.data(lm, SAMPLES);
        PlanRequest req = PlanRequest.of(model, budget, "phone", Profiles.channel("lte")).withForcedCut(cut);
        DeviceRun run;
        try (DeviceClient device = new DeviceClient(server.uri(), Channel.none(), 1)) {
            run = DeviceRun.run(device, req, data, 1);
        }
        if (cut >= 0) {
            assertThat(run.plan().cut()).isEqualTo(cut);
        }
        int used = run.plan().cut();
        try (Pipeline p = ConfiguredSplit.of(lm, lm.analysis().cut(used), new BitWidths(run.plan().bits()), run.plan().activationBits())
                .pipeline(run.plan().activationBits(), 1)) {
            int[] offline = Evaluation.predict(p, lm.singleInput(), data.inputs(), data.sampleShape(), data.size(), Evaluation.DEFAULT_BATCH, false)
                    .classes();
            assertThat(run.predictions()).as("cut %d, %d-bit activations, bits %s", used, run.plan().activationBits(), run.plan().bits())
                    .containsExactly(offline);
        }
        assertThat(run.samples()).isEqualTo(SAMPLES);
        assertThat(run.uploadBytes()).isEqualTo(SAMPLES * run.plan().uploadBytes());
        if (used > 0) {
            assertThat(run.downloadBytes()).isEqualTo(run.plan().downloadBytes()).isPositive();
        }
    }

    /** Concurrent requests share tail runs (TailRuntime's group commit): each device still gets its own samples' answers. */
    @Test
    void concurrentDevicesEachGetTheirOwnAnswers() throws Exception {
        ServedModel m = Fixtures.served("cnn");
        LoadedModel lm = m.model();
        int devices = 12;
        int samples = 40;
        Dataset all = Fixtures.data(lm, devices + samples);
        PlanRequest req = PlanRequest.of("cnn", 0.01, "phone", Profiles.channel("lte")).withForcedCut(2);
        long runsBefore = server.metrics().tailRuns();
        List<Future<DeviceRun>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int d = 0; d < devices; d++) {
                Dataset mine = all.slice(d, d + samples); // each device a different window, so answers cannot be swapped unnoticed
                runs.add(pool.submit(() -> {
                    try (DeviceClient device = new DeviceClient(server.uri(), Channel.none(), 1)) {
                        return DeviceRun.run(device, req, mine, 1);
                    }
                }));
            }
            for (int d = 0; d < devices; d++) {
                DeviceRun run = runs.get(d).get();
                Dataset mine = all.slice(d, d + samples);
                try (Pipeline p = ConfiguredSplit.of(lm, lm.analysis().cut(2), new BitWidths(run.plan().bits()), run.plan().activationBits())
                        .pipeline(run.plan().activationBits(), 1)) {
                    int[] offline = Evaluation.predict(p, lm.singleInput(), mine.inputs(), mine.sampleShape(), mine.size(), 1, false).classes();
                    assertThat(run.predictions()).as("device %d", d).containsExactly(offline);
                }
            }
        }
        // one sample per request: every request took part in one tail call, and no call ran empty
        long tailRuns = server.metrics().tailRuns() - runsBefore;
        assertThat(tailRuns).isBetween(1L, (long) devices * samples);
    }

    @Test
    void quantizedActivationsCrossAtANonZeroCut() throws Exception {
        try (DeviceClient device = new DeviceClient(server.uri(), Channel.none(), 1)) {
            var p = device.plan(PlanRequest.of("cnn", 0.02, "phone", Profiles.channel("lte")).withForcedCut(2));
            assertThat(p.cut()).isEqualTo(2);
            assertThat(p.activationBits()).isLessThan(32);
            assertThat(p.headId()).hasSize(64);
        }
    }

    @Test
    void aHeldHeadIsNotDownloadedAgain() throws Exception {
        ServedModel m = Fixtures.served("mlp");
        Dataset data = Fixtures.data(m.model(), 5);
        PlanRequest req = PlanRequest.of("mlp", 0.01, "phone", Profiles.channel("lte")).withForcedCut(1);
        try (DeviceClient device = new DeviceClient(server.uri(), Channel.none(), 1)) {
            DeviceRun first = DeviceRun.run(device, req, data, 1);
            DeviceRun second = DeviceRun.run(device, req, data, 2);
            assertThat(first.downloadBytes()).isPositive();
            assertThat(second.downloadBytes()).isZero();
            assertThat(second.plan().headHeld()).isTrue();
            assertThat(second.plan().downloadBytes()).isZero();
            assertThat(device.heldHeads()).containsExactly(first.plan().headId());
            assertThat(second.predictions()).containsExactly(first.predictions());
        }
    }
}

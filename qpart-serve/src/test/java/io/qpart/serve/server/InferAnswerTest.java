package io.qpart.serve.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.serve.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The infer answer written by hand reads as the same JSON Jackson writes for it, with every logit exact. */
class InferAnswerTest {
    private static final float[] EDGES = {0f, -0f, 1e-30f, -3.4e38f, Float.MIN_VALUE, Float.MAX_VALUE, 1.0E-5f, 123456.79f, -2.5f};

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 17})
    void handWrittenAnswerEqualsJacksonsAndKeepsEveryFloat(int seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        int samples = 1 + r.nextInt(5);
        int classes = 1 + r.nextInt(12);
        int[] cls = new int[samples];
        float[][] logits = new float[samples][classes];
        for (int i = 0; i < samples; i++) {
            cls[i] = r.nextInt(classes);
            for (int c = 0; c < classes; c++) {
                logits[i][c] = r.nextInt(4) == 0 ? EDGES[r.nextInt(EDGES.length)] : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-8, 9)));
            }
        }
        String model = seed == 17 ? "odd \"name\" \\ with\ttab\u0001" : "mlp";
        byte[] mine = QpartServer.inferAnswer(model, seed, new TailRuntime.Result(cls, logits));

        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("class", cls[i]);
            e.put("logits", logits[i]);
            results.add(e);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model);
        o.put("cut", seed);
        o.put("samples", samples);
        o.put("results", results);
        JsonNode expected = Json.MAPPER.readTree(Json.compact(o));
        JsonNode actual = Json.MAPPER.readTree(mine);
        assertThat(actual.get("model").asText()).isEqualTo(model);
        assertThat(actual.get("samples").asInt()).isEqualTo(samples);
        for (int i = 0; i < samples; i++) {
            JsonNode e = actual.get("results").get(i);
            assertThat(e.get("class").asInt()).isEqualTo(cls[i]);
            for (int c = 0; c < classes; c++) {
                assertThat(Float.parseFloat(e.get("logits").get(c).asText())).as("logit %d of sample %d", c, i).isEqualTo(logits[i][c]);
            }
        }
        assertThat(actual.toString().replace("-0.0", "0.0")).isEqualTo(expected.toString().replace("-0.0", "0.0"));
    }
}

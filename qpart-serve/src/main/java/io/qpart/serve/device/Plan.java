package io.qpart.serve.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.serve.protocol.CrossingTensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The server's plan as the device uses it: the configuration, the head to hold, where to send
 * frames, the tensors they carry, and the modelled time of each stage (SPEC §5).
 *
 * @param headId        the head container's id, null at cut 0 (nothing runs on the device)
 * @param inputShape    the model input of one sample, batch first
 * @param modelled      modelled seconds per stage for one request
 * @param decision      the whole answer, as sent
 */
public record Plan(String model, String strategy, int cut, Map<String, Integer> bits, int activationBits, String headId, boolean headHeld,
                   long downloadBytes, long uploadBytes, boolean fallback, double predictedDrop, String inferPath, String headPath,
                   String inputName, long[] inputShape, List<CrossingTensor> crossing, Stages modelled, JsonNode decision) {

    /** Seconds per stage for one request (SPEC §5): download once per head, then device, upload, server per request. */
    public record Stages(double downloadSeconds, double deviceSeconds, double uploadSeconds, double serverSeconds) {
        public double totalSeconds() {
            return downloadSeconds + deviceSeconds + uploadSeconds + serverSeconds;
        }
    }

    public Plan {
        Objects.requireNonNull(model, "model");
        bits = Collections.unmodifiableSortedMap(new TreeMap<>(bits));
        inputShape = inputShape.clone();
        crossing = List.copyOf(crossing);
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** Reads the answer of {@code POST /v1/plan}. */
    public static Plan parse(JsonNode j) throws DeviceException {
        try {
            Map<String, Integer> bits = new TreeMap<>();
            j.get("bits").properties().forEach(e -> bits.put(e.getKey(), e.getValue().asInt()));
            List<CrossingTensor> crossing = new ArrayList<>();
            for (JsonNode c : j.get("crossing")) {
                crossing.add(new CrossingTensor(c.get("name").asText(), longs(c.get("shape"))));
            }
            JsonNode s = j.get("stages");
            Stages st = new Stages(s.get("downloadSeconds").asDouble(), s.get("deviceSeconds").asDouble(), s.get("uploadSeconds").asDouble(),
                    s.get("serverSeconds").asDouble());
            JsonNode in = j.get("input");
            return new Plan(j.get("model").asText(), j.get("strategy").asText(), j.get("cut").asInt(), bits, j.get("activationBits").asInt(),
                    j.get("headId").isNull() ? null : j.get("headId").asText(), j.get("headHeld").asBoolean(), j.get("downloadBytes").asLong(),
                    j.get("uploadBytes").asLong(), j.get("fallback").asBoolean(), j.get("predictedDrop").asDouble(), j.get("inferPath").asText(),
                    j.get("headPath").isNull() ? null : j.get("headPath").asText(), in.get("name").asText(), longs(in.get("shape")), crossing, st, j);
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new DeviceException(0, "the plan answer lacks a field or has a bad one: " + e.getMessage());
        }
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    /** Elements of one input sample. */
    public long inputElements() {
        long n = 1;
        for (int i = 1; i < inputShape.length; i++) {
            n = Math.multiplyExact(n, inputShape[i]);
        }
        return n;
    }
}

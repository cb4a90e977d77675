package io.qpart.serve.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.DeviceProfile;
import io.qpart.core.cost.ObjectiveWeights;
import io.qpart.core.cost.Profiles;
import io.qpart.core.cost.ServerProfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An inference query (docs/query.md, docs/query.schema.json): model, accuracy budget, and
 * optionally device, channel, server (a default name or an inline profile), objective weights
 * and the ids of heads the device already holds. Unknown fields and impossible values are
 * refused with one line.
 */
public record Query(String model, double maxAccuracyDrop, DeviceProfile device, ChannelProfile channel, ServerProfile server,
             ObjectiveWeights weights, Set<String> heldHeads) {
    /** Defaults, ours (not the paper's): a phone on LTE, the edge server, time and energy weighted 1 each. */
    public static final String DEFAULT_DEVICE = "phone";
    public static final String DEFAULT_CHANNEL = "lte";
    public static final String DEFAULT_SERVER = "edge";
    public static final ObjectiveWeights DEFAULT_WEIGHTS = new ObjectiveWeights(1.0, 1.0, 0.0, 0.0);
    private static final Set<String> FIELDS = Set.of("model", "maxAccuracyDrop", "device", "channel", "server", "weights", "heldHeads");

    public Query {
        heldHeads = Set.copyOf(heldHeads);
    }

    public CostModel costModel() {
        return new CostModel(device, channel, server, weights);
    }

    public static Query read(Path file) {
        try {
            return parse(Json.MAPPER.readTree(Files.readString(file)), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static Query parse(JsonNode q, String what) {
        if (q == null || !q.isObject()) {
            throw new IllegalArgumentException(what + ": expected a JSON object query, found " + (q == null ? "nothing" : q.getNodeType()));
        }
        for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(what + ": unknown field '" + f + "'; a query has " + new java.util.TreeSet<>(FIELDS));
            }
        }
        if (!q.hasNonNull("model") || !q.get("model").isTextual() || q.get("model").asText().isBlank()) {
            throw new IllegalArgumentException(what + ": 'model' is required: the model's file name without .onnx");
        }
        double drop = number(q, "maxAccuracyDrop", what, Double.NaN);
        if (!(drop > 0 && drop < 1)) {
            throw new IllegalArgumentException(what + ": 'maxAccuracyDrop' must be a fraction in (0, 1) (0.01 = 1 percentage point), found "
                    + (q.has("maxAccuracyDrop") ? q.get("maxAccuracyDrop") : "nothing"));
        }
        DeviceProfile device = q.has("device") ? device(q.get("device"), what) : Profiles.device(DEFAULT_DEVICE);
        ChannelProfile channel = q.has("channel") ? channel(q.get("channel"), what) : Profiles.channel(DEFAULT_CHANNEL);
        ServerProfile server = q.has("server") ? server(q.get("server"), what) : Profiles.server(DEFAULT_SERVER);
        ObjectiveWeights weights = q.has("weights") ? weights(q.get("weights"), what) : DEFAULT_WEIGHTS;
        Set<String> held = new LinkedHashSet<>();
        if (q.has("heldHeads")) {
            JsonNode h = q.get("heldHeads");
            if (!h.isArray()) {
                throw new IllegalArgumentException(what + ": 'heldHeads' must be an array of head ids, found " + h.getNodeType());
            }
            for (JsonNode id : h) {
                if (!id.isTextual() || !id.asText().matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException(what + ": 'heldHeads' entries must be 64-hex-digit head ids, found " + id);
                }
                held.add(id.asText());
            }
        }
        try {
            return new Query(q.get("model").asText(), drop, device, channel, server, weights, held);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static double number(JsonNode o, String field, String what, double dflt) {
        if (!o.has(field)) {
            return dflt;
        }
        JsonNode v = o.get(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(what + ": '" + field + "' must be a number, found " + v);
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(what + ": '" + field + "' must be finite, found " + v);
        }
        return d;
    }

    private static void onlyFields(JsonNode o, String kind, String what, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new IllegalArgumentException(what + ": unknown field '" + f + "' in the " + kind + " profile; expected " + new java.util.TreeSet<>(ok));
            }
        }
    }

    private static double positive(JsonNode o, String field, String kind, String what) {
        double v = number(o, field, what, Double.NaN);
        if (!(v > 0)) {
            throw new IllegalArgumentException(what + ": " + kind + " '" + field + "' must be > 0, found " + (o.has(field) ? o.get(field) : "nothing"));
        }
        return v;
    }

    private static double nonNegative(JsonNode o, String field, String kind, String what, double dflt) {
        double v = number(o, field, what, dflt);
        if (!(v >= 0)) {
            throw new IllegalArgumentException(what + ": " + kind + " '" + field + "' must be >= 0, found " + o.get(field));
        }
        return v;
    }

    public static DeviceProfile device(JsonNode d, String what) {
        if (d.isTextual()) {
            return Profiles.device(d.asText());
        }
        if (!d.isObject()) {
            throw new IllegalArgumentException(what + ": 'device' must be a profile name or an object, found " + d.getNodeType());
        }
        onlyFields(d, "device", what, "name", "macsPerSecond", "joulesPerMac", "frequencyHz", "cyclesPerMac", "kappa",
                "transmitPowerWatts", "receivePowerWatts", "memoryBytes");
        String name = d.path("name").asText("custom-device");
        double ptx = nonNegative(d, "transmitPowerWatts", "device", what, Double.NaN);
        double prx = nonNegative(d, "receivePowerWatts", "device", what, Double.NaN);
        if (Double.isNaN(ptx) || Double.isNaN(prx)) {
            throw new IllegalArgumentException(what + ": device needs 'transmitPowerWatts' and 'receivePowerWatts'");
        }
        OptionalLong memory = d.has("memoryBytes") ? OptionalLong.of((long) positive(d, "memoryBytes", "device", what)) : OptionalLong.empty();
        if (d.has("macsPerSecond")) {
            return DeviceProfile.fromMacRate(name, positive(d, "macsPerSecond", "device", what),
                    nonNegative(d, "joulesPerMac", "device", what, 0), ptx, prx, memory);
        }
        return new DeviceProfile(name, positive(d, "frequencyHz", "device", what), positive(d, "cyclesPerMac", "device", what),
                nonNegative(d, "kappa", "device", what, 0), ptx, prx, memory);
    }

    public static ChannelProfile channel(JsonNode c, String what) {
        if (c.isTextual()) {
            return Profiles.channel(c.asText());
        }
        if (!c.isObject()) {
            throw new IllegalArgumentException(what + ": 'channel' must be a profile name or an object, found " + c.getNodeType());
        }
        onlyFields(c, "channel", what, "name", "uplinkBitsPerSecond", "downlinkBitsPerSecond", "bandwidthHz", "snr");
        String name = c.path("name").asText("custom-channel");
        if (c.has("bandwidthHz")) {
            return ChannelProfile.fromShannon(name, positive(c, "bandwidthHz", "channel", what), positive(c, "snr", "channel", what));
        }
        return new ChannelProfile(name, positive(c, "uplinkBitsPerSecond", "channel", what), positive(c, "downlinkBitsPerSecond", "channel", what));
    }

    public static ServerProfile server(JsonNode s, String what) {
        if (s.isTextual()) {
            return Profiles.server(s.asText());
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException(what + ": 'server' must be a profile name or an object, found " + s.getNodeType());
        }
        onlyFields(s, "server", what, "name", "macsPerSecond", "pricePerSecond");
        return new ServerProfile(s.path("name").asText("custom-server"), positive(s, "macsPerSecond", "server", what),
                nonNegative(s, "pricePerSecond", "server", what, 0));
    }

    public static ObjectiveWeights weights(JsonNode w, String what) {
        if (!w.isObject()) {
            throw new IllegalArgumentException(what + ": 'weights' must be an object {omega, xi, delta, epsilon}, found " + w.getNodeType());
        }
        onlyFields(w, "weights", what, "omega", "xi", "delta", "epsilon");
        return new ObjectiveWeights(nonNegative(w, "omega", "weights", what, DEFAULT_WEIGHTS.omegaPerSecond()),
                nonNegative(w, "xi", "weights", what, DEFAULT_WEIGHTS.xiPerJoule()),
                nonNegative(w, "delta", "weights", what, DEFAULT_WEIGHTS.deltaPerCostUnit()),
                nonNegative(w, "epsilon", "weights", what, DEFAULT_WEIGHTS.epsilonPerBit()));
    }
}

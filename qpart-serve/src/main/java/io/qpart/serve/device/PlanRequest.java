package io.qpart.serve.device;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qpart.core.cost.ChannelProfile;
import io.qpart.serve.json.Json;
import io.qpart.serve.protocol.Api;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a device asks the server to plan (docs/query.md plus the plan request's own fields).
 *
 * @param model           the model's name
 * @param maxAccuracyDrop accuracy budget, a fraction in (0, 1)
 * @param device          a device profile name ({@code iot}, {@code phone}, {@code jetson})
 * @param channel         the channel, sent inline with its rates
 * @param forcedCut       a cut the plan must use, or -1 to let the planner choose
 * @param strategy        a strategy name, or null for QPART
 */
public record PlanRequest(String model, double maxAccuracyDrop, String device, ChannelProfile channel, int forcedCut, String strategy) {
    public PlanRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(channel, "channel");
        if (!(maxAccuracyDrop > 0 && maxAccuracyDrop < 1)) {
            throw new IllegalArgumentException("accuracy drop must be a fraction in (0, 1), was " + maxAccuracyDrop);
        }
        if (forcedCut < -1) {
            throw new IllegalArgumentException("forced cut must be >= 0, or -1 for none, was " + forcedCut);
        }
    }

    /** QPART's choice for a model, budget, device and channel. */
    public static PlanRequest of(String model, double maxAccuracyDrop, String device, ChannelProfile channel) {
        return new PlanRequest(model, maxAccuracyDrop, device, channel, -1, null);
    }

    public PlanRequest withForcedCut(int cut) {
        return new PlanRequest(model, maxAccuracyDrop, device, channel, cut, strategy);
    }

    public PlanRequest withStrategy(String name) {
        return new PlanRequest(model, maxAccuracyDrop, device, channel, forcedCut, name);
    }

    /** The request body, naming the heads the device holds. */
    public ObjectNode toJson(Set<String> heldHeads) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("model", model);
        o.put("maxAccuracyDrop", maxAccuracyDrop);
        o.put("device", device);
        ObjectNode c = o.putObject("channel");
        c.put("name", channel.name());
        c.put("uplinkBitsPerSecond", channel.uplinkBitsPerSecond());
        c.put("downlinkBitsPerSecond", channel.downlinkBitsPerSecond());
        ArrayNode held = o.putArray("heldHeads");
        new TreeSet<>(heldHeads).forEach(held::add);
        if (forcedCut >= 0) {
            o.put(Api.FORCED_CUT_FIELD, forcedCut);
        }
        if (strategy != null) {
            o.put(Api.STRATEGY_FIELD, strategy);
        }
        return o;
    }
}

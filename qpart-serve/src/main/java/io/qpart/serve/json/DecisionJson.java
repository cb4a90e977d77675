package io.qpart.serve.json;

import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.table.Decision;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON object of a decision, the same for {@code qpart plan --json} and the server's {@code POST /v1/plan}. */
public final class DecisionJson {
    private DecisionJson() {
    }

    /**
     * The decision's fields in a fixed order; {@code measured} (a measured accuracy drop) is
     * included when not null. Times are seconds, energy joules, sizes bytes.
     */
    public static Map<String, Object> toJson(Decision d, Double measured) {
        CostBreakdown c = d.cost();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("strategy", d.strategy().id());
        o.put("cut", d.cut());
        o.put("bits", d.bits());
        o.put("activationBits", d.activationBits());
        o.put("snappedDrop", Double.isNaN(d.snappedDrop()) ? null : d.snappedDrop());
        o.put("predictedDrop", d.predictedDrop());
        o.put("calibrationDrop", Double.isNaN(d.calibrationDrop()) ? null : d.calibrationDrop());
        if (measured != null) {
            o.put("measuredDrop", measured);
        }
        o.put("downloadBytes", d.headHeld() ? 0 : d.downloadBytes());
        o.put("fp32DownloadBytes", d.fp32DownloadBytes());
        o.put("uploadBytes", d.uploadBytes());
        o.put("fp32UploadBytes", d.fp32UploadBytes());
        o.put("headId", d.headId() == null || d.headId().isEmpty() ? null : d.headId()); // null: nothing runs on the device
        o.put("headHeld", d.headHeld());
        o.put("fallback", d.fallback());
        o.put("latencySeconds", c.totalSeconds());
        o.put("deviceEnergyJoules", c.deviceEnergyJoules());
        o.put("serverCost", c.serverCost());
        o.put("objective", c.objective());
        Map<String, Object> stages = new LinkedHashMap<>();
        stages.put("downloadSeconds", c.downloadSeconds());
        stages.put("deviceSeconds", c.deviceSeconds());
        stages.put("uploadSeconds", c.uploadSeconds());
        stages.put("serverSeconds", c.serverSeconds());
        o.put("stages", stages);
        return o;
    }
}

package io.qpart.serve.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qpart.core.format.Messages;
import io.qpart.core.table.HeadTensor;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.TensorSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table file ({@code MODEL.qpt}): JSON with {@code "format": "qpart-table"} and a version,
 * provenance, the Δa grid and every cut with its verified entries (docs/table.md). Reading
 * checks the format, version and every field, so a file of another kind is one clear error.
 */
public final class TableCodec {
    public static final String FORMAT = "qpart-table";

    private TableCodec() {
    }

    public static byte[] encode(PlanTable t) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", t.version());
        o.put("model", t.modelName());
        o.put("modelSha256", t.modelSha256());
        ObjectNode prov = o.putObject("provenance");
        t.provenance().forEach(prov::put);
        ArrayNode drops = o.putArray("drops");
        for (double d : t.drops()) {
            drops.add(d);
        }
        ArrayNode cuts = o.putArray("cuts");
        for (TableCut c : t.cuts()) {
            ObjectNode cj = cuts.addObject();
            cj.put("index", c.index());
            ArrayNode tensors = cj.putArray("tensors");
            c.tensors().forEach(tensors::add);
            cj.put("elements", c.elements());
            cj.put("headMacs", c.headMacs());
            cj.put("tailMacs", c.tailMacs());
            cj.put("graphBytes", c.graphBytes());
            ObjectNode meta = cj.putObject("metadata");
            c.metadata().forEach(meta::put);
            ArrayNode head = cj.putArray("headTensors");
            for (HeadTensor h : c.headTensors()) {
                ObjectNode hj = head.addObject();
                hj.put("name", h.name());
                ArrayNode shape = hj.putArray("shape");
                for (long d : h.shape()) {
                    shape.add(d);
                }
                hj.put("quantizable", h.quantizable());
            }
            ArrayNode crossing = cj.putArray("crossing");
            for (TensorSpec s : c.crossing()) {
                ObjectNode sj = crossing.addObject();
                sj.put("name", s.name());
                ArrayNode shape = sj.putArray("shape");
                for (long d : s.shape()) {
                    shape.add(d);
                }
            }
            ObjectNode gains = cj.putObject("weightGains");
            c.weightGains().forEach((k, v) -> {
                ArrayNode a = gains.putArray(k);
                for (double x : v) {
                    a.add(x);
                }
            });
            ArrayNode ag = cj.putArray("activationGains");
            for (double x : c.activationGains()) {
                ag.add(x);
            }
            ArrayNode entries = cj.putArray("entries");
            for (TableEntry e : c.entries()) {
                ObjectNode ej = entries.addObject();
                ej.put("drop", e.drop());
                ej.put("activationBits", e.activationBits());
                ObjectNode bits = ej.putObject("bits");
                e.bits().forEach(bits::put);
                ej.put("budget", e.budget());
                ej.put("predictedDrop", e.predictedDrop());
                ej.put("calibrationDrop", e.calibrationDrop());
                ej.put("downloadBytes", e.downloadBytes());
                ej.put("uploadBytes", e.uploadBytes());
                ej.put("headId", e.headId());
            }
        }
        return (Json.write(o) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    public static PlanTable read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        return decode(bytes, file.toString());
    }

    public static PlanTable decode(byte[] bytes, String what) {
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": not a table (expected JSON, " + Messages.oneLine(e.getMessage()) + ")");
        }
        if (o == null || !o.isObject() || !FORMAT.equals(o.path("format").asText())) {
            throw new IllegalArgumentException(what + ": not a table (expected \"format\": \"" + FORMAT + "\", found "
                    + (o == null || !o.isObject() ? "no JSON object" : o.path("format")) + ")");
        }
        int version = o.path("version").asInt(-1);
        if (version != PlanTable.VERSION) {
            throw new IllegalArgumentException(what + ": table format version " + o.path("version") + " is not supported; expected " + PlanTable.VERSION);
        }
        try {
            Map<String, String> prov = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = req(o, "provenance").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                prov.put(e.getKey(), e.getValue().asText());
            }
            double[] drops = doubles(req(o, "drops"));
            List<TableCut> cuts = new ArrayList<>();
            for (JsonNode c : req(o, "cuts")) {
                List<String> tensors = new ArrayList<>();
                req(c, "tensors").forEach(t -> tensors.add(t.asText()));
                TreeMap<String, String> meta = new TreeMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = req(c, "metadata").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    meta.put(e.getKey(), e.getValue().asText());
                }
                List<HeadTensor> head = new ArrayList<>();
                for (JsonNode h : req(c, "headTensors")) {
                    head.add(new HeadTensor(req(h, "name").asText(), longs(req(h, "shape")), req(h, "quantizable").asBoolean()));
                }
                List<TensorSpec> crossing = new ArrayList<>();
                for (JsonNode s : req(c, "crossing")) {
                    crossing.add(new TensorSpec(req(s, "name").asText(), longs(req(s, "shape")), 32));
                }
                Map<String, double[]> gains = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = req(c, "weightGains").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    gains.put(e.getKey(), doubles(e.getValue()));
                }
                List<TableEntry> entries = new ArrayList<>();
                for (JsonNode e : req(c, "entries")) {
                    Map<String, Integer> bits = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = req(e, "bits").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> b = it.next();
                        bits.put(b.getKey(), b.getValue().asInt());
                    }
                    entries.add(new TableEntry(req(e, "drop").asDouble(), req(e, "activationBits").asInt(), bits, req(e, "budget").asDouble(),
                            req(e, "predictedDrop").asDouble(), req(e, "calibrationDrop").asDouble(), req(e, "downloadBytes").asLong(),
                            req(e, "uploadBytes").asLong(), req(e, "headId").asText()));
                }
                cuts.add(new TableCut(req(c, "index").asInt(), tensors, req(c, "elements").asLong(), req(c, "headMacs").asLong(),
                        req(c, "tailMacs").asLong(), req(o, "model").asText(), meta, req(c, "graphBytes").asLong(), head, crossing, gains,
                        doubles(req(c, "activationGains")), entries));
            }
            return new PlanTable(version, req(o, "model").asText(), req(o, "modelSha256").asText(), prov, drops, cuts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": invalid table: " + e.getMessage());
        }
    }

    private static JsonNode req(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v;
    }

    private static double[] doubles(JsonNode a) {
        if (!a.isArray()) {
            throw new IllegalArgumentException("expected an array of numbers, found " + a.getNodeType());
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new IllegalArgumentException("expected a number, found " + a.get(i));
            }
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        if (!a.isArray()) {
            throw new IllegalArgumentException("expected an array of integers, found " + a.getNodeType());
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}

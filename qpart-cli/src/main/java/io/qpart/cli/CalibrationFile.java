package io.qpart.cli;

import io.qpart.serve.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.EnergyModel;
import io.qpart.core.accuracy.GainFit;
import io.qpart.core.accuracy.MeasuredDrop;
import io.qpart.core.accuracy.NoiseCorrelations;
import io.qpart.core.accuracy.RobustnessCurve;
import io.qpart.core.accuracy.TensorCalibration;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The calibration file (JSON): format name and version, provenance, the settings, the timing
 * and the SPEC §4 model per weight and per cut. Energies that no noise level reached are
 * written as {@code null}.
 *
 * @param provenance what made the file
 * @param fitBits    bit-widths of the gain fit
 * @param lowBits    bit-widths below the fit whose energies were measured
 * @param fullBits   low bit-widths at which every weight also ran on every sample (empty in version 1 files)
 * @param workers    sessions run at once
 * @param effectiveTolerance standard errors by which a low-bit drop had to disagree with the curve before its energy
 *                   was replaced by the effective one; {@code +∞}: never (version 1 files)
 * @param calibration the model
 */
record CalibrationFile(Provenance provenance, int[] fitBits, int[] lowBits, int[] fullBits, int workers, double effectiveTolerance,
                       Calibration calibration) {
    static final String FORMAT = "qpart-calibration";
    /** Version written: 2 adds the measured single-tensor drops and the effective low-bit energies. */
    static final int VERSION = 2;
    /** Oldest version read: 1, whose low-bit energies are used as measured. */
    static final int MIN_VERSION = 1;

    /**
     * Where a calibration came from.
     *
     * @param model        the model file as given
     * @param modelSha256  SHA-256 of the model file
     * @param data         the calibration data file as given
     * @param dataSha256   {@link io.qpart.core.data.Dataset#sha256()} of the samples used
     * @param seed         seed of the sample selection
     * @param qpartVersion this program's version
     * @param onnxRuntimeVersion ONNX Runtime's version
     * @param javaVersion  the JVM's version
     * @param createdUtc   ISO-8601 instant
     */
    record Provenance(String model, String modelSha256, String data, String dataSha256, long seed, String qpartVersion,
                      String onnxRuntimeVersion, String javaVersion, String createdUtc) {
        Provenance {
            Objects.requireNonNull(modelSha256, "modelSha256");
            Objects.requireNonNull(dataSha256, "dataSha256");
        }
    }

    /** A file whose low-bit energies are used as measured. */
    CalibrationFile(Provenance provenance, int[] fitBits, int[] lowBits, int workers, Calibration calibration) {
        this(provenance, fitBits, lowBits, new int[0], workers, Double.POSITIVE_INFINITY, calibration);
    }

    CalibrationFile {
        Objects.requireNonNull(provenance, "provenance");
        if (!(effectiveTolerance >= 0)) {
            throw new IllegalArgumentException("effective-energy tolerance must be >= 0 or infinite, was " + effectiveTolerance);
        }
        Objects.requireNonNull(calibration, "calibration");
        fitBits = fitBits.clone();
        lowBits = lowBits.clone();
        fullBits = fullBits.clone();
    }

    @Override
    public int[] fullBits() {
        return fullBits.clone();
    }

    @Override
    public int[] lowBits() {
        return lowBits.clone();
    }

    @Override
    public int[] fitBits() {
        return fitBits.clone();
    }

    String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ObjectNode p = root.putObject("provenance");
        p.put("model", provenance.model());
        p.put("modelSha256", provenance.modelSha256());
        p.put("data", provenance.data());
        p.put("dataSha256", provenance.dataSha256());
        p.put("samples", calibration.samples());
        p.put("seed", provenance.seed());
        p.put("qpartVersion", provenance.qpartVersion());
        p.put("onnxRuntimeVersion", provenance.onnxRuntimeVersion());
        p.put("javaVersion", provenance.javaVersion());
        p.put("createdUtc", provenance.createdUtc());
        ObjectNode s = root.putObject("settings");
        s.put("estimator", calibration.estimator());
        ArrayNode fb = s.putArray("fitBits");
        for (int b : fitBits) {
            fb.add(b);
        }
        ArrayNode lbs = s.putArray("lowBits");
        for (int b : lowBits) {
            lbs.add(b);
        }
        ArrayNode fub = s.putArray("fullBits");
        for (int b : fullBits) {
            fub.add(b);
        }
        s.put("alpha", AccuracyModel.ALPHA);
        s.put("workers", workers);
        putDouble(s, "effectiveTolerance", effectiveTolerance);
        root.put("calibrationSeconds", calibration.calibrationSeconds());
        root.put("floatPassSeconds", calibration.floatPassSeconds());
        root.put("ratio", calibration.ratio());
        root.put("samples", calibration.samples());
        root.put("classes", calibration.classes());
        root.put("floatAccuracy", calibration.floatAccuracy());
        ArrayNode drops = root.putArray("drops");
        for (double d : calibration.drops()) {
            drops.add(d);
        }
        ArrayNode curve = root.putArray("curveDrops");
        for (double d : calibration.curveDrops()) {
            curve.add(d);
        }
        ArrayNode tensors = root.putArray("tensors");
        for (TensorCalibration t : calibration.weights()) {
            ObjectNode o = tensors.addObject();
            o.put("name", t.name());
            o.put("op", t.op());
            o.put("params", t.elements());
            o.put("cutPosition", t.position());
            writeModel(o, t);
        }
        NoiseCorrelations nc = calibration.correlations();
        if (nc != null) {
            ObjectNode co = root.putObject("correlations");
            ArrayNode cb = co.putArray("bits");
            for (int b : nc.bits()) {
                cb.add(b);
            }
            ArrayNode ct = co.putArray("tensors");
            nc.names().forEach(ct::add);
            ArrayNode rho = co.putArray("rho");
            for (double[][] m : nc.rho()) {
                ArrayNode mat = rho.addArray();
                for (double[] row : m) {
                    ArrayNode r = mat.addArray();
                    for (double v : row) {
                        if (Double.isFinite(v)) {
                            r.add(v);
                        } else {
                            r.addNull();
                        }
                    }
                }
            }
        }
        ArrayNode cuts = root.putArray("cuts");
        for (CutCalibration c : calibration.cuts()) {
            ObjectNode o = cuts.addObject();
            o.put("index", c.index());
            o.put("position", c.position());
            ArrayNode ts = o.putArray("tensors");
            c.tensors().forEach(ts::add);
            o.put("elements", c.elements());
            ArrayNode hw = o.putArray("headWeights");
            c.headWeights().forEach(hw::add);
            writeModel(o, c.activation());
        }
        return Json.write(root);
    }

    private static void writeModel(ObjectNode o, TensorCalibration t) {
        o.put("p", t.fit().gain());
        putDouble(o, "slope", t.fit().slope());
        ArrayNode fit = o.putArray("fit");
        int[] bits = t.fit().bits();
        double[] m = t.fit().meanEnergies();
        for (int i = 0; i < bits.length; i++) {
            ObjectNode f = fit.addObject();
            f.put("bits", bits[i]);
            f.put("meanEnergy", m[i]);
        }
        ArrayNode low = o.putArray("lowBitEnergies");
        int[] lb = t.energy().lowBits();
        double[] le = t.energy().lowEnergies();
        double[] ee = t.energy().lowEffective();
        for (int i = 0; i < lb.length; i++) {
            ObjectNode f = low.addObject();
            f.put("bits", lb[i]);
            f.put("meanEnergy", le[i]);
            f.put("effectiveEnergy", ee[i]);
        }
        ArrayNode md = o.putArray("measuredDrops");
        for (MeasuredDrop d : t.measured()) {
            ObjectNode f = md.addObject();
            f.put("bits", d.bits());
            f.put("samples", d.samples());
            f.put("gained", d.gained());
            f.put("fixed", d.fixed());
        }
        ObjectNode tt = o.putObject("t");
        RobustnessCurve r = t.robustness();
        for (int i = 0; i < r.size(); i++) {
            putDouble(tt, key(r.drop(i)), r.energy(i));
        }
        ArrayNode tc = o.putArray("tCurve");
        RobustnessCurve c = t.curve();
        for (int i = 0; i < c.size(); i++) {
            if (Double.isFinite(c.energy(i))) {
                tc.add(c.energy(i));
            } else {
                tc.addNull();
            }
        }
    }

    private static void putDouble(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    /** The JSON key of a drop: its fraction in plain decimal notation. */
    static String key(double drop) {
        return BigDecimal.valueOf(drop).stripTrailingZeros().toPlainString();
    }

    void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson() + "\n");
    }

    static CalibrationFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(file + ": not a usable calibration file: " + e.getMessage());
        }
    }

    static CalibrationFile parse(String text) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("expected format '" + FORMAT + "', found '" + format + "'");
        }
        int version = root.path("version").asInt(-1);
        if (version < MIN_VERSION || version > VERSION) {
            throw new IllegalArgumentException("expected version " + MIN_VERSION + " to " + VERSION + ", found " + root.path("version"));
        }
        JsonNode p = need(root, "provenance");
        Provenance prov = new Provenance(p.path("model").asText(""), needText(p, "modelSha256"), p.path("data").asText(""),
                needText(p, "dataSha256"), p.path("seed").asLong(), p.path("qpartVersion").asText(""),
                p.path("onnxRuntimeVersion").asText(""), p.path("javaVersion").asText(""), p.path("createdUtc").asText(""));
        JsonNode s = need(root, "settings");
        int[] fitBits = ints(need(s, "fitBits"));
        double[] drops = doubles(need(root, "drops"));
        double[] curveDrops = doubles(need(root, "curveDrops"));
        List<TensorCalibration> weights = new ArrayList<>();
        for (JsonNode t : need(root, "tensors")) {
            weights.add(model(t, needText(t, "name"), needText(t, "op"), need(t, "params").asLong(), need(t, "cutPosition").asInt(),
                    drops, curveDrops));
        }
        List<CutCalibration> cuts = new ArrayList<>();
        for (JsonNode c : need(root, "cuts")) {
            List<String> tensors = texts(need(c, "tensors"));
            TensorCalibration act = model(c, String.join(", ", tensors), TensorCalibration.ACTIVATION, need(c, "elements").asLong(),
                    need(c, "position").asInt(), drops, curveDrops);
            cuts.add(new CutCalibration(need(c, "index").asInt(), need(c, "position").asInt(), tensors, need(c, "elements").asLong(),
                    texts(need(c, "headWeights")), act));
        }
        NoiseCorrelations nc = null;
        JsonNode co = root.get("correlations");
        if (co != null && !co.isNull()) {
            JsonNode rho = need(co, "rho");
            double[][][] m = new double[rho.size()][][];
            for (int g = 0; g < m.length; g++) {
                JsonNode mat = rho.get(g);
                m[g] = new double[mat.size()][];
                for (int j = 0; j < m[g].length; j++) {
                    JsonNode row = mat.get(j);
                    m[g][j] = new double[row.size()];
                    for (int k = 0; k < row.size(); k++) {
                        m[g][j][k] = row.get(k).isNull() ? Double.NaN : row.get(k).asDouble();
                    }
                }
            }
            nc = new NoiseCorrelations(ints(need(co, "bits")), texts(need(co, "tensors")), m);
        }
        Calibration cal = new Calibration(needText(s, "estimator"), need(root, "samples").asInt(), need(root, "classes").asInt(),
                need(root, "floatAccuracy").asDouble(), drops, curveDrops, weights, cuts, nc, root.path("calibrationSeconds").asDouble(),
                root.path("floatPassSeconds").asDouble());
        double tolerance = version == 1 || s.path("effectiveTolerance").isNull() || s.path("effectiveTolerance").isMissingNode()
                ? Double.POSITIVE_INFINITY : s.path("effectiveTolerance").asDouble();
        return new CalibrationFile(prov, fitBits, ints(s.path("lowBits")), ints(s.path("fullBits")), s.path("workers").asInt(1), tolerance, cal);
    }

    private static TensorCalibration model(JsonNode o, String name, String op, long elements, int position, double[] drops,
                                           double[] curveDrops) {
        JsonNode fit = need(o, "fit");
        int[] bits = new int[fit.size()];
        double[] m = new double[fit.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = need(fit.get(i), "bits").asInt();
            m[i] = need(fit.get(i), "meanEnergy").asDouble();
        }
        double slope = o.path("slope").isNumber() ? o.path("slope").asDouble() : Double.NaN;
        GainFit gf = new GainFit(need(o, "p").asDouble(), slope, bits, m);
        JsonNode low = o.path("lowBitEnergies");
        int[] lb = new int[low.size()];
        double[] le = new double[low.size()];
        double[] ee = new double[low.size()];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = need(low.get(i), "bits").asInt();
            le[i] = need(low.get(i), "meanEnergy").asDouble();
            JsonNode eff = low.get(i).get("effectiveEnergy");
            ee[i] = eff == null ? le[i] : eff.asDouble();
        }
        List<MeasuredDrop> measured = new ArrayList<>();
        for (JsonNode d : o.path("measuredDrops")) {
            measured.add(new MeasuredDrop(need(d, "bits").asInt(), need(d, "samples").asInt(), need(d, "gained").asInt(), need(d, "fixed").asInt()));
        }
        JsonNode t = need(o, "t");
        double[] e = new double[drops.length];
        for (int i = 0; i < drops.length; i++) {
            e[i] = energy(need(t, key(drops[i])));
        }
        JsonNode tc = need(o, "tCurve");
        if (tc.size() != curveDrops.length) {
            throw new IllegalArgumentException("tensor '" + name + "': expected " + curveDrops.length + " tCurve values, found " + tc.size());
        }
        double[] ec = new double[curveDrops.length];
        for (int i = 0; i < ec.length; i++) {
            ec[i] = energy(tc.get(i));
        }
        return new TensorCalibration(name, op, elements, position, new EnergyModel(gf, lb, le, ee), new RobustnessCurve(drops, e),
                new RobustnessCurve(curveDrops, ec), measured);
    }

    private static double energy(JsonNode n) {
        if (n.isNull()) {
            return Double.POSITIVE_INFINITY;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("expected an energy (number or null), found " + n);
        }
        return n.asDouble();
    }

    private static JsonNode need(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isMissingNode()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return n;
    }

    private static String needText(JsonNode o, String field) {
        JsonNode n = need(o, field);
        if (!n.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "': expected a string, found " + n.getNodeType());
        }
        return n.asText();
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static List<String> texts(JsonNode a) {
        List<String> v = new ArrayList<>();
        a.forEach(n -> v.add(n.asText()));
        return v;
    }
}

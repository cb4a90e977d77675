package io.qpart.cli;

import io.qpart.serve.json.Json;
import io.qpart.core.accuracy.AccuracyModel;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.CutCalibration;
import io.qpart.core.accuracy.DropPrediction;
import io.qpart.core.accuracy.NoiseTerm;
import io.qpart.core.quant.Quantizer;
import io.qpart.onnx.quant.BitWidths;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart predict}: the SPEC §4 predicted accuracy drop of one configuration, from a calibration file. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the accuracy drop of a configuration (cut, head weight bits, activation bits) from a calibration file (SPEC §4):",
                "D(Δa) = Σ_j (p_j / t_j(Δa)) e^(−α b_j) + (p_a / t_a(Δa)) e^(−α b_a); the predicted drop is the Δa at which D = 1.",
                "No model is run."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--calibration", required = true, paramLabel = "CAL.json", description = "A file written by 'qpart calibrate'.")
    Path calibration;

    @Option(names = "--cut", required = true, paramLabel = "K", description = "The cut (see 'qpart inspect').")
    int cut;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BitsOption bitsOption;

    @Option(names = "--activation-bits", paramLabel = "A", description = "Bits of the activation that crosses the cut (2..16; default 32 = float32).")
    int activationBits = Quantizer.NOT_QUANTIZED_BITS;

    @Option(names = "--margin", paramLabel = "Z", description = "Also report the drop plus Z standard errors of the calibration estimate (default: ${DEFAULT-VALUE}).")
    double margin = AccuracyModel.DEFAULT_MARGIN_STANDARD_ERRORS;

    @Option(names = "--energy-additivity", description = "Add noise energies as SPEC §4 states, ignoring the measured correlations.")
    boolean energyAdditivity;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CalibrationFile file = CalibrationFile.read(calibration);
        Calibration cal = file.calibration();
        CutCalibration c = cal.cut(cut);
        Quantizer.requireBitsOrFloat(activationBits);
        Map<String, Integer> bits = bits(bitsOption, cal, cut);
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("--margin must be >= 0, was " + margin);
        }
        DropPrediction p = cal.predict(cut, bits, activationBits, AccuracyModel.DEFAULT_G, !energyAdditivity);
        List<NoiseTerm> terms = cal.terms(cut, bits, activationBits, !energyAdditivity);
        report(cal, c, bits, terms, p);
        return 0;
    }

    /** The head bits of a configuration from {@code --bits} or {@code --bits-file}. */
    static Map<String, Integer> bits(BitsOption o, Calibration cal, int cut) {
        if (o.bits != null) {
            BitWidths.uniform(List.of("--bits"), o.bits); // range check with the usual message
            return cal.uniform(cut, o.bits);
        }
        BitWidths b = BitsOption.readFile(o.bitsFile);
        try {
            cal.terms(cut, b.bits(), Quantizer.NOT_QUANTIZED_BITS); // refuses unknown names
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(o.bitsFile + ": " + e.getMessage());
        }
        Map<String, Integer> head = new LinkedHashMap<>();
        for (String h : cal.cut(cut).headWeights()) {
            if (b.bits().containsKey(h)) {
                head.put(h, b.bits().get(h));
            }
        }
        return head;
    }

    private void report(Calibration cal, CutCalibration c, Map<String, Integer> bits, List<NoiseTerm> terms, DropPrediction p) {
        PrintWriter out = spec.commandLine().getOut();
        double[] grid = cal.drops();
        double[] curve = p.grid();
        double[] d = p.d();
        double[] reportedD = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            reportedD[i] = d[Arrays.binarySearch(curve, grid[i])];
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("cut", c.index());
            o.put("activationBits", activationBits);
            o.put("bits", bits);
            o.put("predictedDrop", p.drop());
            o.put("predictedDropPp", p.dropPp());
            o.put("bound", p.bound().name().toLowerCase(java.util.Locale.ROOT));
            double upper = cal.withMargin(p.drop(), margin);
            o.put("upperDrop", upper);
            o.put("upperDropPp", 100 * upper);
            o.put("marginStandardErrors", margin);
            o.put("correlated", !energyAdditivity && cal.correlations() != null);
            Map<String, Double> dm = new LinkedHashMap<>();
            for (int i = 0; i < grid.length; i++) {
                dm.put(CalibrationFile.key(grid[i]), reportedD[i]);
            }
            o.put("D", dm);
            o.put("noiseEnergy", terms.stream().mapToDouble(NoiseTerm::energy).sum());
            out.println(Json.write(o));
            return;
        }
        out.printf("cut          %d (%d head weights, %d quantized; activation %s)%n", c.index(), c.headWeights().size(), terms.size()
                - (activationBits == Quantizer.NOT_QUANTIZED_BITS ? 0 : 1), activationBits == Quantizer.NOT_QUANTIZED_BITS ? "float32" : activationBits + " bits");
        StringBuilder sb = new StringBuilder("D(Δa)       ");
        for (int i = 0; i < grid.length; i++) {
            sb.append(String.format(" %s: %.4g", CalibrateCommand.percent(grid[i]), reportedD[i]));
        }
        out.println(sb);
        String where = switch (p.bound()) {
            case BELOW_GRID -> " (below the grid, scaled down)";
            case WITHIN_GRID -> "";
            case ABOVE_GRID -> " (above the grid, extrapolated: more than " + CalibrateCommand.percent(curve[curve.length - 1]) + ")";
        };
        out.printf("predicted    %.3f pp accuracy drop%s%n", p.dropPp(), where);
        out.printf("with margin  %.3f pp (%.1f standard errors of the %d-sample calibration)%n", 100 * cal.withMargin(p.drop(), margin), margin,
                cal.samples());
    }
}

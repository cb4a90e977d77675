package io.qpart.cli;

import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.json.TableCodec;
import io.qpart.serve.json.Json;
import io.qpart.core.accuracy.Calibration;
import io.qpart.core.accuracy.TensorCalibration;
import io.qpart.core.data.Dataset;
import io.qpart.core.format.FormatException;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.onnx.table.GainSource;
import io.qpart.onnx.table.PairedDrop;
import io.qpart.onnx.table.TableBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart table}: Algorithm 1 of SPEC §7: solve, verify and store every (cut, Δa) entry. */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = {"Build the model's offline table from its calibration: for every cut, every Δa of the grid and",
                "activation bits 2, 3, 4, 6 and 8, solve the weight bits in closed form (SPEC §6), pack the head for its exact",
                "payload, and verify the entry on the calibration data: it is kept when an upper confidence bound of its",
                "drop (paired with the float model, digit by digit) meets Δa; G is tightened until it does, then loosened",
                "while it still does."})
final class TableCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--calibration", required = true, paramLabel = "CAL.json", description = "The model's calibration (qpart calibrate).")
    Path calibration;

    @Option(names = "--data", required = true, paramLabel = "CAL_FILE", description = "Calibration data the entries are verified on.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "MODEL.qpt", description = "Table file to write.")
    Path out;

    @Option(names = "--drops", split = ",", paramLabel = "LIST", description = "Accuracy levels, fractions (default: the calibration's grid). Each must be on that grid.")
    double[] drops;

    @Option(names = "--samples", paramLabel = "N", description = "Verify on the first N samples (default: all).")
    Integer samples;

    @Option(names = "--confidence", paramLabel = "C", defaultValue = "0.95",
            description = "Confidence of the one-sided upper bound an entry's drop must keep within Δa (default: ${DEFAULT-VALUE}).")
    double confidence;

    @Option(names = "--activation-bits", split = ",", paramLabel = "LIST",
            description = "Activation bit-widths solved for at every cut and level (default: 2,3,4,6,8).")
    int[] activationBits = TableBuilder.DEFAULT_ACTIVATION_BITS;

    @Option(names = "--json", description = "Print a JSON summary.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
        LoadedModel m = LoadedModel.load(model, common.threads());
        CalibrationFile cf = CalibrationFile.read(calibration);
        if (!cf.provenance().modelSha256().equals(m.sha256())) {
            throw new IllegalArgumentException(calibration + ": is the calibration of another model (sha256 "
                    + cf.provenance().modelSha256().substring(0, 12) + "..., " + model + " is " + m.sha256().substring(0, 12) + "...)");
        }
        Calibration cal = cf.calibration();
        double[] grid = cal.drops();
        double[] levels = drops == null ? grid : drops.clone();
        int[] index = new int[levels.length];
        for (int i = 0; i < levels.length; i++) {
            index[i] = -1;
            for (int j = 0; j < grid.length; j++) {
                if (Math.abs(grid[j] - levels[i]) <= 1e-12) {
                    index[i] = j;
                }
            }
            if (index[i] < 0) {
                throw new IllegalArgumentException("--drops: " + levels[i] + " is not on the calibration's grid " + Arrays.toString(grid));
            }
        }
        GainSource gains = new GainSource() {
            @Override
            public double[] weightGains(String tensor) {
                return gainsOf(cal.weight(tensor), index);
            }

            @Override
            public double[] activationGains(int cut) {
                return gainsOf(cal.cut(cut).activation(), index);
            }
        };
        if (!(confidence > 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("--confidence: expected a level in (0.5, 1), found " + confidence);
        }
        Dataset ds = EvalCommand.loadData(m, data, null, samples);
        String name = m.name();
        long start = System.nanoTime();
        TableBuilder builder = new TableBuilder(m.analysis(), name, m.sha256(), gains, ds,
                new TableBuilder.Settings(levels, activationBits, common.threads(), 256, confidence));
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("modelSha256", m.sha256());
        prov.put("dataSha256", ds.sha256());
        prov.put("calibrationSha256", io.qpart.onnx.model.OnnxModels.sha256(Files.readAllBytes(calibration)));
        prov.put("calibrationSeed", Long.toString(cf.provenance().seed()));
        prov.put("verificationSamples", Integer.toString(ds.size()));
        prov.put("floatAccuracy", Double.toString(builder.floatAccuracy()));
        prov.put("verification", "upper bound of the paired drop (" + PairedDrop.BOUND + "), one-sided, confidence " + confidence);
        prov.put("qpart", CalibrateCommand.qpartVersion());
        String commit = BuildInfo.gitCommit();
        if (commit != null) {
            prov.put("gitCommit", commit);
        }
        prov.put("java", Runtime.version().toString());
        prov.put("created", Instant.now().toString());
        for (double d : levels) {
            if (d < builder.smallestCertifiableDrop()) {
                spec.commandLine().getErr().println(String.format("qpart: warning: dA %.2f%%: below what %d calibration digits can certify at confidence %s (%.3f%%, when no prediction changes);"
                        + " this level gets no entries", 100 * d, ds.size(), confidence, 100 * builder.smallestCertifiableDrop()));
            }
        }
        PlanTable table;
        try (ConsoleProgress bar = ConsoleProgress.open("table", json)) {
            bar.start(builder.entryCount());
            table = builder.build(prov, done -> bar.step());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(out, TableCodec.encode(table));
        report(table, seconds);
        return 0;
    }

    private static double[] gainsOf(TensorCalibration t, int[] index) {
        // SPEC §4: g = p / t(Δa) with p the fitted noise gain
        double p = t.fit().gain();
        double[] g = new double[index.length];
        for (int i = 0; i < index.length; i++) {
            g[i] = p / t.robustness().energy(index[i]);
        }
        return g;
    }

    private void report(PlanTable t, double seconds) {
        PrintWriter out = spec.commandLine().getOut();
        int entries = 0;
        int tightened = 0;
        for (TableCut c : t.cuts()) {
            entries += c.entries().size();
            for (TableEntry e : c.entries()) {
                if (e.budget() < 1) {
                    tightened++;
                }
            }
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("out", out.toString());
            o.put("cuts", t.cuts().size());
            o.put("drops", t.drops());
            o.put("entries", entries);
            o.put("tightened", tightened);
            o.put("seconds", seconds);
            out.println(Json.write(o));
            return;
        }
        out.printf("%s: %d cuts x %d accuracy levels, %d verified entries (%d needed a tighter G), %.1f s%n", this.out, t.cuts().size(),
                t.drops().length, entries, tightened, seconds);
        List<TableCut> cuts = t.cuts();
        TableCut last = cuts.get(cuts.size() - 1);
        for (TableEntry e : last.entries()) {
            if (e.activationBits() == 8) {
                out.printf("  full local, dA %.2f%%: head %,d bytes = %.1f%% of float32, calibration drop %.2f pp%n", 100 * e.drop(), e.downloadBytes(),
                        100.0 * e.downloadBytes() / last.fp32DownloadBytes(), 100 * e.calibrationDrop());
            }
        }
    }
}

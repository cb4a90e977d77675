package io.qpart.core.table;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The offline table of one model (SPEC §7): the Δa grid, every cut with its verified entries,
 * and provenance (model hash, calibration and data hashes, seed, versions).
 */
public record PlanTable(int version, String modelName, String modelSha256, Map<String, String> provenance, double[] drops,
                        List<TableCut> cuts) {
    /** Current table format version. */
    public static final int VERSION = 1;

    public PlanTable {
        if (version != VERSION) {
            throw new IllegalArgumentException("table format version " + version + " is not supported; expected " + VERSION);
        }
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelSha256, "modelSha256");
        provenance = new TreeMap<>(provenance);
        drops = drops.clone();
        if (drops.length == 0) {
            throw new IllegalArgumentException("a table needs at least one accuracy level, found none");
        }
        for (int i = 0; i < drops.length; i++) {
            if (!(drops[i] > 0 && drops[i] < 1) || (i > 0 && drops[i] <= drops[i - 1])) {
                throw new IllegalArgumentException("table drops must be increasing fractions in (0, 1), found " + java.util.Arrays.toString(drops));
            }
        }
        cuts = List.copyOf(cuts);
        if (cuts.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one cut, found none");
        }
        for (int i = 0; i < cuts.size(); i++) {
            if (cuts.get(i).index() != i) {
                throw new IllegalArgumentException("table cuts must be numbered 0..K+1 in order; position " + i + " holds cut " + cuts.get(i).index());
            }
            for (double[] g : cuts.get(i).weightGains().values()) {
                if (g.length != drops.length) {
                    throw new IllegalArgumentException("cut " + i + ": expected " + drops.length + " gains per weight, found " + g.length);
                }
            }
        }
    }

    @Override
    public double[] drops() {
        return drops.clone();
    }

    /** Index of the largest grid drop not above {@code maxDrop} (SPEC §7: snap down), or -1 if below the grid. */
    public int snap(double maxDrop) {
        int best = -1;
        for (int i = 0; i < drops.length; i++) {
            if (drops[i] <= maxDrop * (1 + 1e-9)) {
                best = i;
            }
        }
        return best;
    }
}

package io.qpart.core.table;

import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.SplitWorkload;
import io.qpart.core.optimize.Baselines;
import io.qpart.core.optimize.BitAllocation;
import io.qpart.core.optimize.BitAllocationProblem;
import io.qpart.core.optimize.TensorTerm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The online lookup (SPEC §7, Algorithm 2): snap the budget down to the grid, price every
 * candidate of every cut with the query's cost model (SPEC §5), return the cheapest. Baselines
 * (SPEC §8) are priced the same way, with payloads computed exactly from the head layout.
 */
public final class Planner {
    private static final double ALPHA = Math.log(4);

    private Planner() {
    }

    /** One priced option. */
    private record Option(int cut, Map<String, Integer> bits, int activationBits, double predictedDrop, double calibrationDrop,
                          long downloadBytes, long uploadBytes, String headId) {
    }

    /**
     * Decides for one query.
     *
     * @param maxDrop    the query's accuracy budget (fraction in (0, 1))
     * @param heldHeads  ids of heads the device already holds
     * @param forcedCut  a cut to use, or -1 to search every cut
     */
    public static Decision plan(PlanTable table, CostModel costs, double maxDrop, Set<String> heldHeads, Strategy strategy, int forcedCut) {
        return plan(new PlanIndex(table), costs, maxDrop, heldHeads, strategy, forcedCut);
    }

    /** As {@link #plan(PlanTable, CostModel, double, Set, Strategy, int)} on a prepared index (the fast path for QPART). */
    public static Decision plan(PlanIndex index, CostModel costs, double maxDrop, Set<String> heldHeads, Strategy strategy, int forcedCut) {
        PlanTable table = index.table();
        if (!(maxDrop > 0 && maxDrop < 1)) {
            throw new IllegalArgumentException("maxAccuracyDrop must be in (0, 1), was " + maxDrop);
        }
        if (forcedCut >= table.cuts().size()) {
            throw new IllegalArgumentException("cut " + forcedCut + " is out of range: this model has cuts 0.." + (table.cuts().size() - 1));
        }
        int level = table.snap(maxDrop);
        double snapped = level < 0 ? Double.NaN : table.drops()[level];
        if (strategy == Strategy.QPART && forcedCut < 0) {
            PlanIndex.Choice ch = index.best(level, costs, heldHeads);
            if (ch != null) {
                TableCut c = table.cuts().get(ch.cut());
                TableEntry e = ch.entry();
                boolean held = heldHeads.contains(e.headId());
                CostBreakdown cb = costs.evaluate(new SplitWorkload(e.downloadBytes(), e.uploadBytes(), c.headMacs(), c.tailMacs(), held));
                return new Decision(strategy, c.index(), e.bits(), e.activationBits(), snapped, e.predictedDrop(), e.calibrationDrop(),
                        e.downloadBytes(), index.fp32DownloadBytes(c.index()), e.uploadBytes(), index.fp32UploadBytes(c.index()), e.headId(),
                        held, false, cb);
            }
        }
        List<Option> options = new ArrayList<>();
        for (TableCut c : table.cuts()) {
            if (forcedCut >= 0 && c.index() != forcedCut) {
                continue;
            }
            options.addAll(options(table, c, level, strategy));
        }
        Option best = null;
        CostBreakdown bestCost = null;
        for (Option o : options) {
            TableCut c = table.cuts().get(o.cut());
            boolean held = o.headId() != null && heldHeads.contains(o.headId());
            CostBreakdown cb = costs.evaluate(new SplitWorkload(o.downloadBytes(), o.uploadBytes(), c.headMacs(), c.tailMacs(), held));
            if (best == null || cb.objective() < bestCost.objective()) {
                best = o;
                bestCost = cb;
            }
        }
        boolean fallback = false;
        if (best == null) {
            // SPEC §6: nothing feasible → full offload, no accuracy loss, flagged
            TableCut c0 = table.cuts().get(0);
            best = new Option(0, Map.of(), 32, 0, Double.NaN, 0, c0.uploadBytes(32), null);
            bestCost = costs.evaluate(SplitWorkload.of(0, best.uploadBytes(), c0.headMacs(), c0.tailMacs()));
            fallback = true;
        }
        TableCut c = table.cuts().get(best.cut());
        boolean held = best.headId() != null && heldHeads.contains(best.headId());
        return new Decision(strategy, best.cut(), best.bits(), best.activationBits(), snapped, best.predictedDrop(), best.calibrationDrop(),
                best.downloadBytes(), c.fp32DownloadBytes(), best.uploadBytes(), c.uploadBytes(32), best.headId(), held, fallback, bestCost);
    }

    private static List<Option> options(PlanTable table, TableCut c, int level, Strategy strategy) {
        List<Option> out = new ArrayList<>();
        int last = table.cuts().size() - 1;
        switch (strategy) {
            case QPART -> {
                if (level < 0) {
                    return out;
                }
                double drop = table.drops()[level];
                for (TableEntry e : c.entries()) {
                    if (e.drop() == drop) {
                        out.add(new Option(c.index(), e.bits(), e.activationBits(), e.predictedDrop(), e.calibrationDrop(),
                                e.downloadBytes(), e.uploadBytes(), e.headId()));
                    }
                }
            }
            case SERVER_ONLY -> {
                if (c.index() == 0) {
                    out.add(fixed(table, c, Map.of(), 32));
                }
            }
            case DEVICE_ONLY -> {
                if (c.index() == last) {
                    out.add(fixed(table, c, Map.of(), 32));
                }
            }
            case PARTITION_ONLY -> out.add(fixed(table, c, Map.of(), 32));
            case UNIFORM8 -> out.add(fixed(table, c, uniform(c, 8), 8));
            case UNIFORM_MIN -> {
                if (level < 0) {
                    return out;
                }
                for (int b = 2; b <= 16; b++) {
                    Map<String, Integer> bits = uniform(c, b);
                    if (degradation(c, level, bits, b) <= 1) {
                        out.add(fixed(table, c, bits, b));
                        break;
                    }
                }
            }
            case SQNR -> {
                if (level < 0) {
                    return out;
                }
                int aBits = 8;
                double budget = 1 - c.activationGains()[level] * Math.exp(-ALPHA * aBits);
                List<String> names = c.weights();
                if (names.isEmpty()) {
                    if (budget >= 0) {
                        out.add(fixed(table, c, Map.of(), aBits));
                    }
                    return out;
                }
                if (budget <= 0) {
                    return out;
                }
                Map<String, double[]> gains = c.weightGains();
                List<TensorTerm> terms = new ArrayList<>();
                Map<String, Long> sizes = new LinkedHashMap<>();
                c.headTensors().forEach(t -> sizes.put(t.name(), t.elements()));
                for (String n : names) {
                    long s = sizes.get(n);
                    terms.add(TensorTerm.of(s, s, gains.get(n)[level]));
                }
                BitAllocation a = Baselines.sqnr(new BitAllocationProblem(terms, budget, ALPHA));
                if (a.feasible()) {
                    Map<String, Integer> bits = new LinkedHashMap<>();
                    int[] b = a.bits();
                    for (int j = 0; j < names.size(); j++) {
                        bits.put(names.get(j), b[j]);
                    }
                    out.add(fixed(table, c, bits, aBits));
                }
            }
            default -> throw new IllegalStateException("unhandled strategy " + strategy);
        }
        return out;
    }

    private static Map<String, Integer> uniform(TableCut c, int bits) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String n : c.weights()) {
            m.put(n, bits);
        }
        return m;
    }

    private static Option fixed(PlanTable table, TableCut c, Map<String, Integer> bits, int activationBits) {
        return new Option(c.index(), java.util.Collections.unmodifiableMap(bits), activationBits, predictedDrop(table.drops(), c, bits, activationBits), Double.NaN,
                c.downloadBytes(bits), c.uploadBytes(activationBits), null);
    }

    /** SPEC §4: D at grid level i for a configuration (32 bits contribute nothing). */
    public static double degradation(TableCut c, int level, Map<String, Integer> bits, int activationBits) {
        double d = activationBits >= 32 ? 0 : c.activationGains()[level] * Math.exp(-ALPHA * activationBits);
        Map<String, double[]> gains = c.weightGains();
        for (Map.Entry<String, Integer> e : bits.entrySet()) {
            double[] g = gains.get(e.getKey());
            if (g != null && e.getValue() < 32) {
                d += g[level] * Math.exp(-ALPHA * e.getValue());
            }
        }
        return d;
    }

    /**
     * The drop at which D reaches 1, interpolated log-linearly between grid points; below the
     * first point the drop is scaled down in proportion to D; beyond the last it is the last
     * point scaled up by D (an extrapolation, flagged by being above the grid).
     */
    public static double predictedDrop(double[] drops, TableCut c, Map<String, Integer> bits, int activationBits) {
        double[] d = new double[drops.length];
        for (int i = 0; i < drops.length; i++) {
            d[i] = degradation(c, i, bits, activationBits);
        }
        if (d[0] <= 1) {
            return drops[0] * d[0];
        }
        for (int i = 1; i < drops.length; i++) {
            if (d[i] <= 1) {
                double x = Math.log(d[i - 1]) / (Math.log(d[i - 1]) - Math.log(d[i]));
                return Math.exp(Math.log(drops[i - 1]) + x * (Math.log(drops[i]) - Math.log(drops[i - 1])));
            }
        }
        return drops[drops.length - 1] * d[drops.length - 1];
    }
}

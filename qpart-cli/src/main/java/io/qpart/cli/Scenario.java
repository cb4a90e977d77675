package io.qpart.cli;

import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.SplitWorkload;
import io.qpart.core.table.Decision;
import io.qpart.core.table.PlanIndex;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One model's table and accuracy budget, priced by the online planner (SPEC §7, Algorithm 2)
 * under any cost model: the decision of a strategy at a given cut, or its best cut. Every
 * number comes from {@link Planner}; with {@code headHeld} the device is taken to hold the head
 * of every configuration already (the steady state of a device that keeps its head), so
 * downloads cost nothing (SPEC §5).
 */
final class Scenario {
    private final PlanTable table;
    private final PlanIndex index;
    private final double maxDrop;
    private final boolean headHeld;
    private final Set<String> allHeads;

    /** What a strategy does at one cut, priced. */
    record Point(Strategy strategy, Decision decision, CostBreakdown cost, boolean fallback) {
        int cut() {
            return decision.cut();
        }

        /** Head bytes as sent (0 when the device holds the head). */
        long downloadBytes(boolean held) {
            return held || decision.headHeld() ? 0 : decision.downloadBytes();
        }

        /** Head container bytes against the same head in float32, percent (NaN for an empty head). */
        double payloadPercent() {
            return decision.fp32DownloadBytes() == 0 ? Double.NaN : 100.0 * decision.downloadBytes() / decision.fp32DownloadBytes();
        }
    }

    Scenario(PlanTable table, double maxDrop, boolean headHeld) {
        this.table = table;
        this.index = new PlanIndex(table);
        if (!(maxDrop > 0 && maxDrop < 1)) {
            throw new IllegalArgumentException("the accuracy budget must be a fraction in (0, 1) (0.01 = 1 percentage point), was " + maxDrop);
        }
        if (table.snap(maxDrop) < 0) {
            throw new IllegalArgumentException("the accuracy budget " + maxDrop + " is below the table's grid " + java.util.Arrays.toString(table.drops()));
        }
        this.maxDrop = maxDrop;
        this.headHeld = headHeld;
        Set<String> ids = new LinkedHashSet<>();
        for (TableCut c : table.cuts()) {
            for (TableEntry e : c.entries()) {
                ids.add(e.headId());
            }
        }
        this.allHeads = Set.copyOf(ids);
    }

    PlanTable table() {
        return table;
    }

    PlanIndex index() {
        return index;
    }

    double maxDrop() {
        return maxDrop;
    }

    boolean headHeld() {
        return headHeld;
    }

    /** The same table at another budget. */
    Scenario withDrop(double drop) {
        return new Scenario(table, drop, headHeld);
    }

    int lastCut() {
        return table.cuts().size() - 1;
    }

    /** The strategy at cut {@code k}, or null when it has no configuration there (server-only away from cut 0, nothing meets Δa). */
    Point at(Strategy s, int k, CostModel costs) {
        Decision d = Planner.plan(index, costs, maxDrop, headHeld ? allHeads : Set.of(), s, k);
        if (d.fallback() || d.cut() != k) {
            return null;
        }
        return new Point(s, d, price(d, costs), false);
    }

    /** The strategy's best cut (the planner's choice). */
    Point best(Strategy s, CostModel costs) {
        if (!headHeld) {
            Decision d = Planner.plan(index, costs, maxDrop, Set.of(), s, -1);
            return new Point(s, d, d.cost(), d.fallback());
        }
        Point best = null;
        for (int k = 0; k < table.cuts().size(); k++) {
            Point p = at(s, k, costs);
            if (p != null && (best == null || p.cost().objective() < best.cost().objective())) {
                best = p;
            }
        }
        if (best == null) {
            Decision d = Planner.plan(index, costs, maxDrop, Set.of(), s, -1);
            return new Point(s, d, d.cost(), true);
        }
        return best;
    }

    /** The cost of a fixed decision under another cost model (SPEC §5), the head held or not as the scenario says. */
    CostBreakdown price(Decision d, CostModel costs) {
        TableCut c = table.cuts().get(d.cut());
        boolean held = headHeld || d.headHeld();
        return costs.evaluate(new SplitWorkload(d.downloadBytes(), d.uploadBytes(), c.headMacs(), c.tailMacs(), held));
    }

    /** The cost of a fixed decision when the device holds exactly the heads in {@code held}. */
    CostBreakdown price(Decision d, CostModel costs, Set<String> held) {
        TableCut c = table.cuts().get(d.cut());
        boolean h = d.headId() != null && held.contains(d.headId());
        return costs.evaluate(new SplitWorkload(d.downloadBytes(), d.uploadBytes(), c.headMacs(), c.tailMacs(), h));
    }

    /** Every strategy's best decision. */
    Map<Strategy, Point> bestOfEach(CostModel costs) {
        Map<Strategy, Point> out = new java.util.EnumMap<>(Strategy.class);
        for (Strategy s : Strategy.values()) {
            out.put(s, best(s, costs));
        }
        return out;
    }
}

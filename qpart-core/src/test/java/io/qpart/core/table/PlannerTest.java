package io.qpart.core.table;

import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.CostBreakdown;
import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.ObjectiveWeights;
import io.qpart.core.cost.Profiles;
import io.qpart.core.cost.SplitWorkload;
import io.qpart.core.wire.TensorSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlannerTest {
    static final double[] DROPS = {0.001, 0.005, 0.01, 0.02};

    /** A random table of {@code cuts} cuts with one weight per interior cut. */
    static PlanTable table(long seed, int cuts) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TableCut> list = new ArrayList<>();
        List<HeadTensor> head = new ArrayList<>();
        Map<String, double[]> gains = new TreeMap<>();
        for (int k = 0; k < cuts; k++) {
            if (k > 0) {
                head.add(new HeadTensor("w" + k, new long[]{1 + rnd.nextInt(5000)}, true));
                double[] g = new double[DROPS.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = 100 + rnd.nextDouble(1000) / (i + 1);
                }
                gains.put("w" + k, g);
            }
            List<TableEntry> entries = new ArrayList<>();
            for (double d : DROPS) {
                for (int a : new int[]{4, 8}) {
                    Map<String, Integer> bits = new LinkedHashMap<>();
                    gains.keySet().forEach(w -> bits.put(w, 3 + rnd.nextInt(6)));
                    entries.add(new TableEntry(d, a, bits, 1, d / 2, d / 3, rnd.nextInt(100_000), 10 + rnd.nextInt(10_000),
                            String.format("%064x", rnd.nextLong(Long.MAX_VALUE))));
                }
            }
            list.add(new TableCut(k, List.of("t" + k), 100, 1_000_000L * k, 1_000_000L * (cuts - k), "m", new TreeMap<>(), 500,
                    head, List.of(new TensorSpec("t" + k, new long[]{1, 100}, 32)), gains, new double[]{4, 3, 2, 1}, entries));
        }
        return new PlanTable(PlanTable.VERSION, "m", "0".repeat(64), Map.of(), DROPS, list);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void fastLookupPicksTheBruteForceMinimum(long seed) {
        PlanTable t = table(seed, 12);
        SplittableRandom rnd = new SplittableRandom(seed * 31);
        CostModel cm = new CostModel(Profiles.device(List.of("iot", "phone", "jetson").get(rnd.nextInt(3))),
                new ChannelProfile("c", 1e4 + rnd.nextDouble(1e8), 1e4 + rnd.nextDouble(1e8)), Profiles.server("edge"),
                new ObjectiveWeights(rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble() * 1e-6));
        double budget = DROPS[rnd.nextInt(DROPS.length)] * 1.2;
        Decision d = Planner.plan(t, cm, budget, Set.of(), Strategy.QPART, -1);
        double best = Double.POSITIVE_INFINITY;
        for (TableCut c : t.cuts()) {
            for (TableEntry e : c.entries()) {
                if (e.drop() == t.drops()[t.snap(budget)]) {
                    CostBreakdown cb = cm.evaluate(new SplitWorkload(e.downloadBytes(), e.uploadBytes(), c.headMacs(), c.tailMacs(), false));
                    best = Math.min(best, cb.objective());
                }
            }
        }
        assertThat(d.cost().objective()).isCloseTo(best, org.assertj.core.data.Offset.offset(Math.abs(best) * 1e-9));
        assertThat(d.snappedDrop()).isLessThanOrEqualTo(budget);
        assertThat(d.fallback()).isFalse();
    }

    @Test
    void heldHeadCostsNoDownload() {
        PlanTable t = table(9, 6);
        CostModel cm = new CostModel(Profiles.device("phone"), Profiles.channel("nbiot"), Profiles.server("edge"), ObjectiveWeights.latencyOnly());
        Decision first = Planner.plan(t, cm, 0.01, Set.of(), Strategy.QPART, -1);
        Decision again = Planner.plan(t, cm, 0.01, Set.of(first.headId()), Strategy.QPART, -1);
        assertThat(again.cost().objective()).isLessThanOrEqualTo(first.cost().objective());
        if (again.headId().equals(first.headId())) {
            assertThat(again.headHeld()).isTrue();
            assertThat(again.cost().downloadSeconds()).isZero();
        }
    }

    @Test
    void budgetBelowTheGridFallsBackToFullOffload() {
        Decision d = Planner.plan(table(3, 5), new CostModel(Profiles.device("iot"), Profiles.channel("lte"), Profiles.server("edge"),
                ObjectiveWeights.latencyOnly()), 0.0005, Set.of(), Strategy.QPART, -1);
        assertThat(d.fallback()).isTrue();
        assertThat(d.cut()).isZero();
        assertThat(d.predictedDrop()).isZero();
    }

    @Test
    void baselinesUseTheirOwnCuts() {
        PlanTable t = table(4, 7);
        CostModel cm = new CostModel(Profiles.device("phone"), Profiles.channel("wifi"), Profiles.server("edge"), ObjectiveWeights.latencyOnly());
        assertThat(Planner.plan(t, cm, 0.01, Set.of(), Strategy.SERVER_ONLY, -1).cut()).isZero();
        Decision local = Planner.plan(t, cm, 0.01, Set.of(), Strategy.DEVICE_ONLY, -1);
        assertThat(local.cut()).isEqualTo(6);
        assertThat(local.downloadBytes()).isEqualTo(local.fp32DownloadBytes());
        Decision u8 = Planner.plan(t, cm, 0.01, Set.of(), Strategy.UNIFORM8, 6);
        assertThat(u8.bits().values()).containsOnly(8);
        assertThat(u8.downloadBytes()).isLessThan(local.downloadBytes());
        assertThatThrownBy(() -> Strategy.of("fastest")).hasMessageContaining("unknown strategy 'fastest'");
        assertThatThrownBy(() -> Planner.plan(t, cm, 1.5, Set.of(), Strategy.QPART, -1)).hasMessageContaining("(0, 1)");
    }

    @Test
    void moreBandwidthNeverRaisesTheChosenLatency() {
        PlanTable t = table(11, 12);
        double previous = Double.POSITIVE_INFINITY;
        for (double rate = 1e5; rate <= 1e9; rate *= 3) {
            CostModel cm = new CostModel(Profiles.device("phone"), new ChannelProfile("c", rate, rate), Profiles.server("edge"),
                    ObjectiveWeights.latencyOnly());
            double latency = Planner.plan(t, cm, 0.01, Set.of(), Strategy.QPART, -1).cost().totalSeconds();
            assertThat(latency).isLessThanOrEqualTo(previous * (1 + 1e-12));
            previous = latency;
        }
    }
}

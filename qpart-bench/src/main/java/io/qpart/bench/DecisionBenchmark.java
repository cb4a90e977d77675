package io.qpart.bench;

import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.ObjectiveWeights;
import io.qpart.core.cost.Profiles;
import io.qpart.core.table.Decision;
import io.qpart.core.table.HeadTensor;
import io.qpart.core.table.PlanIndex;
import io.qpart.core.table.PlanTable;
import io.qpart.core.table.Planner;
import io.qpart.core.table.Strategy;
import io.qpart.core.table.TableCut;
import io.qpart.core.table.TableEntry;
import io.qpart.core.wire.TensorSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Online decision speed (SPEC §7, Algorithm 2) on a synthetic 20-cut table with 5 accuracy
 * levels and 3 activation widths per level, next to one hash-map lookup measured in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecisionBenchmark {
    private PlanIndex index;
    private CostModel costs;
    private Map<String, Integer> map;
    private String key;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        double[] drops = {0.001, 0.0025, 0.005, 0.01, 0.02};
        List<TableCut> cuts = new ArrayList<>();
        List<HeadTensor> head = new ArrayList<>();
        Map<String, double[]> gains = new TreeMap<>();
        for (int k = 0; k < 20; k++) {
            if (k > 0) {
                String w = "w" + k;
                head.add(new HeadTensor(w, new long[]{64, 64, 3, 3}, true));
                head.add(new HeadTensor(w + ".bias", new long[]{64}, false));
                double[] g = new double[drops.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = 50 + rnd.nextDouble(500) / (i + 1);
                }
                gains.put(w, g);
            }
            List<TableEntry> entries = new ArrayList<>();
            for (double d : drops) {
                for (int a : new int[]{4, 6, 8}) {
                    Map<String, Integer> bits = new LinkedHashMap<>();
                    gains.keySet().forEach(w -> bits.put(w, 3 + rnd.nextInt(5)));
                    entries.add(new TableEntry(d, a, bits, 1.0, d / 2, d / 3, 1000L * k + rnd.nextInt(1000), 100 + rnd.nextInt(4000), "id" + k));
                }
            }
            cuts.add(new TableCut(k, List.of("t" + k), 4096, 1_000_000L * k, 1_000_000L * (20 - k), "bench", new TreeMap<>(), 2000,
                    head, List.of(new TensorSpec("t" + k, new long[]{1, 64, 8, 8}, 32)), gains, new double[]{5, 4, 3, 2, 1}, entries));
        }
        PlanTable table = new PlanTable(PlanTable.VERSION, "bench", "0".repeat(64), Map.of(), drops, cuts);
        index = new PlanIndex(table);
        costs = new CostModel(Profiles.device("phone"), Profiles.channel("lte"), Profiles.server("edge"), new ObjectiveWeights(1, 1, 0, 0));
        map = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            map.put("model-" + i, i);
        }
        key = new String("model-57");
    }

    @Benchmark
    public Decision decide() {
        return Planner.plan(index, costs, 0.01, Set.of(), Strategy.QPART, -1);
    }

    @Benchmark
    public Integer hashMapLookup() {
        return map.get(key);
    }
}

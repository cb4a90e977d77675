package io.qpart.core.table;

import io.qpart.core.cost.CostModel;
import io.qpart.core.cost.DeviceProfile;
import io.qpart.core.cost.ObjectiveWeights;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The QPART entries of a table laid out as flat arrays per accuracy level, so that the online
 * lookup is a handful of multiply-adds per entry (SPEC §7, Algorithm 2). Built once per table;
 * immutable and safe to share between threads.
 *
 * <p>SPEC §5 is linear in the four quantities an entry fixes, so for a query
 * {@code J = a·downloadBytes + b·uploadBytes + c·headMacs + d·tailMacs} with
 * {@code a = 8(ω/R_dl + ξ P_rx/R_dl + ε)}, {@code b = 8(ω/R_ul + ξ P_tx/R_ul + ε)},
 * {@code c = ω/F_dev + ξ κ f² γ} and {@code d = (ω + δ π)/F_srv}.
 */
public final class PlanIndex {
    private final PlanTable table;
    private final double[][] download;
    private final double[][] upload;
    private final double[][] headMacs;
    private final double[][] tailMacs;
    private final TableEntry[][] entries;
    private final int[][] cuts;
    private final long[] fp32Download;
    private final long[] fp32Upload;

    public PlanIndex(PlanTable table) {
        this.table = table;
        int levels = table.drops().length;
        download = new double[levels][];
        upload = new double[levels][];
        headMacs = new double[levels][];
        tailMacs = new double[levels][];
        entries = new TableEntry[levels][];
        cuts = new int[levels][];
        double[] drops = table.drops();
        fp32Download = new long[table.cuts().size()];
        fp32Upload = new long[table.cuts().size()];
        for (TableCut c : table.cuts()) {
            fp32Download[c.index()] = c.fp32DownloadBytes();
            fp32Upload[c.index()] = c.uploadBytes(32);
        }
        for (int l = 0; l < levels; l++) {
            List<TableEntry> es = new ArrayList<>();
            List<Integer> cs = new ArrayList<>();
            for (TableCut c : table.cuts()) {
                for (TableEntry e : c.entries()) {
                    if (e.drop() == drops[l]) {
                        es.add(e);
                        cs.add(c.index());
                    }
                }
            }
            int n = es.size();
            download[l] = new double[n];
            upload[l] = new double[n];
            headMacs[l] = new double[n];
            tailMacs[l] = new double[n];
            entries[l] = es.toArray(new TableEntry[0]);
            cuts[l] = cs.stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < n; i++) {
                TableCut c = table.cuts().get(cuts[l][i]);
                download[l][i] = es.get(i).downloadBytes();
                upload[l][i] = es.get(i).uploadBytes();
                headMacs[l][i] = c.headMacs();
                tailMacs[l][i] = c.tailMacs();
            }
        }
    }

    /** Float32 head bytes of a cut (precomputed). */
    public long fp32DownloadBytes(int cut) {
        return fp32Download[cut];
    }

    /** Float32 activation frame bytes of a cut (precomputed). */
    public long fp32UploadBytes(int cut) {
        return fp32Upload[cut];
    }

    public PlanTable table() {
        return table;
    }

    /** The chosen entry and its cut, or null when the level has no entry (the caller falls back). */
    public record Choice(int cut, TableEntry entry) {
    }

    /** The cheapest verified entry at grid level {@code level} for this cost model. */
    public Choice best(int level, CostModel costs, Set<String> heldHeads) {
        if (level < 0 || level >= entries.length) {
            return null;
        }
        ObjectiveWeights w = costs.weights();
        DeviceProfile dev = costs.device();
        double rdl = costs.channel().downlinkBitsPerSecond();
        double rul = costs.channel().uplinkBitsPerSecond();
        double a = 8 * (w.omegaPerSecond() / rdl + w.xiPerJoule() * dev.receivePowerWatts() / rdl + w.epsilonPerBit());
        double b = 8 * (w.omegaPerSecond() / rul + w.xiPerJoule() * dev.transmitPowerWatts() / rul + w.epsilonPerBit());
        double c = w.omegaPerSecond() / dev.macsPerSecond() + w.xiPerJoule() * dev.joulesPerMac();
        double d = (w.omegaPerSecond() + w.deltaPerCostUnit() * costs.server().pricePerSecond()) / costs.server().macsPerSecond();
        double[] dl = download[level];
        double[] ul = upload[level];
        double[] hm = headMacs[level];
        double[] tm = tailMacs[level];
        boolean anyHeld = !heldHeads.isEmpty();
        int best = -1;
        double bestJ = Double.POSITIVE_INFINITY;
        for (int i = 0; i < dl.length; i++) {
            double down = anyHeld && heldHeads.contains(entries[level][i].headId()) ? 0 : dl[i];
            double j = a * down + b * ul[i] + c * hm[i] + d * tm[i];
            if (j < bestJ) {
                bestJ = j;
                best = i;
            }
        }
        return best < 0 ? null : new Choice(cuts[level][best], entries[level][best]);
    }
}

package io.qpart.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScratchBlock {
    static final float M = 12582912f;
    int n = 1 << 20;
    float[] w = new float[n];
    float[] copy = new float[n];
    int[] iout = new int[n];
    int[] blk = new int[1024];
    float scale = 0.3f / 255, zp = 128; int maxCode = 255;
    @Setup public void s() { Random r = new Random(1); for (int i = 0; i < n; i++) w[i] = (float) (r.nextGaussian() * 0.05); }

    @Benchmark public float[] copy() { System.arraycopy(w, 0, copy, 0, n); return copy; }

    static void qb(float[] w, int base, int n, float scale, float zeroPoint, int maxCode, int[] codes) {
        for (int i = 0; i < n; i++) {
            float x = w[base + i];
            float rounded = (x / scale + M) - M;
            int q = Math.max(0, Math.min(maxCode, (int) (rounded + zeroPoint)));
            int nonFinite = 1 - (int) (x - x + 1f);
            codes[i] = q | nonFinite << 16;
        }
    }
    static void qbNoFlag(float[] w, int base, int n, float scale, float zeroPoint, int maxCode, int[] codes) {
        for (int i = 0; i < n; i++) {
            float x = w[base + i];
            float rounded = (x / scale + M) - M;
            codes[i] = Math.max(0, Math.min(maxCode, (int) (rounded + zeroPoint)));
        }
    }
    @Benchmark public int[] flagWhole() { qb(w, 0, n, scale, zp, maxCode, iout); return iout; }
    @Benchmark public int[] noFlagWhole() { qbNoFlag(w, 0, n, scale, zp, maxCode, iout); return iout; }
    @Benchmark public int[] flagBlocks() { for (int s = 0; s < n; s += 1024) qb(w, s, 1024, scale, zp, maxCode, blk); return blk; }
    @Benchmark public int[] noFlagBlocks() { for (int s = 0; s < n; s += 1024) qbNoFlag(w, s, 1024, scale, zp, maxCode, blk); return blk; }
}

package org.kpff.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.KroneckerFusion;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Forward and backward of the KPFF op in kpff-core against the alternative formulations in
 * {@link KroneckerVariants}, separately, with Concat's forward and backward as the yardstick; batch 50, n = 3,
 * float32, each invocation inside {@link BenchWorkspace}. Setup checks that every variant reproduces the kpff-core
 * op.
 */
@SuppressWarnings("try") // the workspace is opened for its scope only
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class KroneckerVariantsBenchmark {

    /** Fixed sources, W and dy for one width r. */
    @State(Scope.Benchmark)
    public static class Sources {
        /** Width r of each source. */
        @Param({"256", "1024", "4096", "12544"})
        public long r;

        INDArray w;
        INDArray[] xs;
        INDArray dy;

        @Setup
        public void setUp() {
            Nd4j.getRandom().setSeed(12345);
            int n = FusionVertexBenchmark.N;
            long b = FusionVertexBenchmark.BATCH;
            w = KroneckerFusionVertex.initialW(n, FusionInit.RANDOM, 7, DataType.FLOAT);
            xs = new INDArray[n];
            for (int i = 0; i < n; i++) {
                xs[i] = Nd4j.randn(DataType.FLOAT, b, r);
            }
            dy = Nd4j.randn(DataType.FLOAT, b, n * r);
            INDArray y = KroneckerFusion.forward(w, xs);
            check("forwardGemm2d", y, KroneckerVariants.forwardGemm2d(w, xs));
            check("forwardAxpy", y, KroneckerVariants.forwardAxpy(w, xs));
            check("forwardTensorMmul", y, KroneckerVariants.forwardTensorMmul(w, xs));
            INDArray[] g = KroneckerFusion.backward(w, xs, dy);
            checkAll("backwardGemm2d", g, KroneckerVariants.backwardGemm2d(w, xs, dy));
            checkAll("backwardAxpy", g, KroneckerVariants.backwardAxpy(w, xs, dy));
            checkAll("backwardBaseline", g, KroneckerVariants.backwardBaseline(w, xs, dy));
            checkAll("backwardGemvGemm", g, KroneckerVariants.backwardGemvGemm(w, xs, dy));
            checkAll("backwardGemvStacked", g, KroneckerVariants.backwardGemvStacked(w, xs, dy));
        }

        private static void checkAll(String what, INDArray[] expected, INDArray[] actual) {
            for (int i = 0; i < expected.length; i++) {
                check(what + "[" + i + "]", expected[i], actual[i]);
            }
        }

        private static void check(String what, INDArray expected, INDArray actual) {
            double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
            if (!Arrays.equals(expected.shape(), actual.shape())
                    || expected.sub(actual).amaxNumber().doubleValue() > 1e-4 * scale) {
                throw new IllegalStateException(what + " disagrees with KroneckerFusion");
            }
        }
    }

    @Benchmark
    public void fwdCore(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerFusion.forward(s.w, s.xs));
        }
    }

    @Benchmark
    public void fwdGemm2d(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.forwardGemm2d(s.w, s.xs));
        }
    }

    @Benchmark
    public void fwdAxpy(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.forwardAxpy(s.w, s.xs));
        }
    }

    @Benchmark
    public void fwdTensorMmul(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.forwardTensorMmul(s.w, s.xs));
        }
    }

    @Benchmark
    public void fwdConcat(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(Nd4j.concat(1, s.xs));
        }
    }

    @Benchmark
    public void bwdCore(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerFusion.backward(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdGemm2d(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.backwardGemm2d(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdAxpy(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.backwardAxpy(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdBaseline(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.backwardBaseline(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdGemvGemm(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.backwardGemvGemm(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdGemvStacked(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerVariants.backwardGemvStacked(s.w, s.xs, s.dy));
        }
    }

    @Benchmark
    public void bwdConcat(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            long r = s.r;
            INDArray[] out = new INDArray[FusionVertexBenchmark.N];
            for (int j = 0; j < out.length; j++) {
                out[j] = KroneckerVariants.block(s.dy, j, r).dup();
            }
            bh.consume(out);
        }
    }
}

package org.kpff.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.KroneckerFusion;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
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
 * Forward + backward of KPFF against DL4J's Concat ({@code MergeVertex}) and Add ({@code ElementWiseVertex}),
 * batch {@value #BATCH} (parameter {@code batch}), n = {@value #N} float32 sources, both as the raw op and as a
 * vertex inside a graph.
 *
 * <p>{@code op*}: the bare computation. KPFF is {@link KroneckerFusion#forward} + {@link KroneckerFusion#backward}
 * ({@code opKpffBefore}: with the backward kpff-core had before, {@link KroneckerVariants#backwardBaseline});
 * Concat is {@code Nd4j.concat} + copying dy's n column blocks (what {@code MergeVertex} does); Add is the sum +
 * n copies of dy (what {@code ElementWiseVertex(Add)} does); each invocation runs inside {@link BenchWorkspace}, as
 * DL4J runs vertices inside its workspaces. {@code graph*}: {@code computeGradientAndScore} of a
 * graph n inputs → fusion vertex → identity MSE loss layer, so DL4J's per-step overhead (workspaces, loss) is
 * included equally; Add's loss is over a tensor n times smaller than Concat's and KPFF's.
 *
 * <p>Parameter {@code tap}: the width r of vector sources {@code [B, r]}, or {@code 64x14x14} for feature-map
 * sources {@code [B, 64, 14, 14]} (the raw op sees them flattened to r = 12544, as the vertex does).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@SuppressWarnings("try") // the workspace is opened for its scope only
public class FusionVertexBenchmark {

    /** Default minibatch size (parameter {@code batch}; {@code -p batch=2} gives the fusion head's shape). */
    public static final int BATCH = 50;
    /** Number of fused sources. */
    public static final int N = 3;

    /** Fixed inputs, gradients and the three graphs for one source shape. */
    @State(Scope.Benchmark)
    public static class Sources {
        /** r for vector sources, or CxHxW for feature maps. */
        @Param({"256", "1024", "4096", "64x14x14"})
        public String tap;
        /** Minibatch size B. */
        @Param({"50"})
        public int batch;

        long r;
        INDArray w;
        INDArray[] xs;
        INDArray dyCat;
        INDArray dyAdd;
        ComputationGraph kpffGraph;
        ComputationGraph concatGraph;
        ComputationGraph addGraph;
        INDArray[] graphInputs;
        INDArray[] labelsWide;
        INDArray[] labelsNarrow;

        @Setup
        public void setUp() {
            Nd4j.getRandom().setSeed(12345);
            long[] chw = parseTap(tap);
            r = chw.length == 1 ? chw[0] : chw[0] * chw[1] * chw[2];
            w = KroneckerFusionVertex.initialW(N, FusionInit.RANDOM, 7, DataType.FLOAT);
            xs = new INDArray[N];
            graphInputs = new INDArray[N];
            for (int i = 0; i < N; i++) {
                xs[i] = Nd4j.randn(DataType.FLOAT, batch, r);
                graphInputs[i] = chw.length == 1 ? xs[i] : xs[i].reshape('c', batch, chw[0], chw[1], chw[2]);
            }
            dyCat = Nd4j.randn(DataType.FLOAT, batch, N * r);
            dyAdd = Nd4j.randn(DataType.FLOAT, batch, r);

            InputType in = chw.length == 1 ? InputType.feedForward(r)
                    : InputType.convolutional(chw[1], chw[2], chw[0]);
            long[] wide = chw.length == 1 ? new long[] {batch, N * r}
                    : new long[] {batch, N * chw[0], chw[1], chw[2]};
            long[] narrow = chw.length == 1 ? new long[] {batch, r} : new long[] {batch, chw[0], chw[1], chw[2]};
            labelsWide = new INDArray[] {Nd4j.randn(DataType.FLOAT, wide)};
            labelsNarrow = new INDArray[] {Nd4j.randn(DataType.FLOAT, narrow)};
            kpffGraph = graph(in, chw.length > 1, new KroneckerFusionVertex(N, FusionInit.IDENTITY, 7));
            concatGraph = graph(in, chw.length > 1, new MergeVertex());
            addGraph = graph(in, chw.length > 1, new ElementWiseVertex(ElementWiseVertex.Op.Add));
        }
    }

    /** {@code "256"} → {256}; {@code "64x14x14"} → {64, 14, 14}. */
    static long[] parseTap(String tap) {
        String[] parts = tap.split("x");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        if (out.length != 1 && out.length != 3) {
            throw new IllegalArgumentException("tap must be r or CxHxW; got " + tap);
        }
        return out;
    }

    /** n inputs → fusion vertex → identity MSE loss; float32, workspaces on (as ModelFactory builds). */
    static ComputationGraph graph(InputType in, boolean conv,
            org.deeplearning4j.nn.conf.graph.GraphVertex fusion) {
        String[] inputs = new String[N];
        InputType[] types = new InputType[N];
        for (int i = 0; i < N; i++) {
            inputs[i] = "x" + i;
            types[i] = in;
        }
        GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.0))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(inputs)
                .setInputTypes(types)
                .addVertex("fuse", fusion, inputs);
        if (conv) {
            g.addLayer("out", new CnnLossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build(),
                    "fuse");
        } else {
            g.addLayer("out", new LossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build(), "fuse");
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        return net;
    }

    private static double step(ComputationGraph net, INDArray[] inputs, INDArray[] labels) {
        net.setInputs(inputs);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.score();
    }

    @Benchmark
    public double graphKpff(Sources s) {
        return step(s.kpffGraph, s.graphInputs, s.labelsWide);
    }

    @Benchmark
    public double graphConcat(Sources s) {
        return step(s.concatGraph, s.graphInputs, s.labelsWide);
    }

    @Benchmark
    public double graphAdd(Sources s) {
        return step(s.addGraph, s.graphInputs, s.labelsNarrow);
    }

    @Benchmark
    public void opKpff(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerFusion.forward(s.w, s.xs));
            bh.consume(KroneckerFusion.backward(s.w, s.xs, s.dyCat));
        }
    }

    /** The op with the backward pass kpff-core had before the matrix-vector rewrite (same forward). */
    @Benchmark
    public void opKpffBefore(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(KroneckerFusion.forward(s.w, s.xs));
            bh.consume(KroneckerVariants.backwardBaseline(s.w, s.xs, s.dyCat));
        }
    }

    @Benchmark
    public void opConcat(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            bh.consume(Nd4j.concat(1, s.xs));
            for (int j = 0; j < N; j++) {
                bh.consume(s.dyCat.get(NDArrayIndex.all(), NDArrayIndex.interval(j * s.r, (j + 1) * s.r)).dup());
            }
        }
    }

    @Benchmark
    public void opAdd(Sources s, Blackhole bh) {
        try (MemoryWorkspace ws = BenchWorkspace.open()) {
            INDArray y = s.xs[0].add(s.xs[1]);
            for (int i = 2; i < N; i++) {
                y.addi(s.xs[i]);
            }
            bh.consume(y);
            for (int j = 0; j < N; j++) {
                bh.consume(s.dyAdd.dup());
            }
        }
    }
}

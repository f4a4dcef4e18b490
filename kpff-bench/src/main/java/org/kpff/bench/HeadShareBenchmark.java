package org.kpff.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
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

/**
 * One full training step ({@code ComputationGraph.fit(DataSet)}: forward, backward, Adam update) of each backbone
 * at 224×224, width 1.0, batch {@value #BATCH}, with each fusion head, to show what share of a step the head
 * and the KPFF vertex take. Every step is timed (sample mode, so medians are reported). Short settings: a VGG-16
 * step takes seconds on a 2-core CPU.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class HeadShareBenchmark {

    /** Minibatch size. */
    public static final int BATCH = 2;
    /** Input side in pixels. */
    public static final int SIZE = 224;
    /** Classes of the output layer (the 21 of UC Merced). */
    public static final int CLASSES = 21;

    /** A built network and one fixed random minibatch. */
    @State(Scope.Benchmark)
    public static class Cell {
        /** Registered backbone name. */
        @Param({"alexnet", "vgg16", "inception"})
        public String backbone;
        /** Fusion method id. */
        @Param({"none", "add", "concat", "kpff"})
        public String method;

        ComputationGraph net;
        DataSet batch;

        @Setup
        public void setUp() {
            long seed = 42;
            net = ModelFactory.create(new CellSpec(backbone, FusionMethod.parse(method), CLASSES, SIZE, 1.0, 256,
                    FusionInit.IDENTITY, true, 0.5, 1e-4, 5e-4, BATCH, 1, 1, seed));
            Nd4j.getRandom().setSeed(seed);
            INDArray features = Nd4j.rand(DataType.FLOAT, BATCH, ModelFactory.CHANNELS, SIZE, SIZE);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
            for (int i = 0; i < BATCH; i++) {
                labels.putScalar(i, i % CLASSES, 1.0);
            }
            batch = new DataSet(features, labels);
        }
    }

    @Benchmark
    public double fit(Cell c) {
        c.net.fit(c.batch);
        return c.net.score();
    }
}

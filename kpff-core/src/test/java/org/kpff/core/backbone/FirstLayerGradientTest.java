package org.kpff.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.engine.DirectWeightGradient;
import org.kpff.core.engine.OneDnnConvolution;
import org.kpff.core.engine.OneDnnHelpers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.ModelFactory;
import org.kpff.core.testing.TestData;
import org.kpff.core.model.CellSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolution fed by the image, without the image's gradient (its weight gradient through oneDNN directly): it
 * trains as DL4J's path does, on every backbone, and libnd4j's conv2d_bp really runs once less per step.
 */
class FirstLayerGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"alexnet", "vgg16", "inception"})
    void withoutTheImagesGradientTrainingIsUnchanged(String backbone) {
        CellSpec spec = new CellSpec(backbone, FusionMethod.KPFF, 3, 32, 0.125, 16, FusionInit.IDENTITY, true, 0.0,
                1e-3, 5e-4, 8, 1, 1, 5L);
        ComputationGraph direct = ModelFactory.create(spec);
        String json = direct.getConfiguration().toJson();
        assertTrue(json.contains("\"inputGradient\" : false"), "the flag is in the network's JSON");
        ComputationGraph plain = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                json.replace("\"inputGradient\" : false", "\"inputGradient\" : true")));
        plain.init(direct.params().dup(), true);
        OneDnnHelpers.install(plain); // the same helpers as the factory's network: only the first layer differs
        for (int step = 0; step < 3; step++) {
            DataSet b = batch(step);
            direct.fit(b);
            plain.fit(new DataSet(b.getFeatures().dup(), b.getLabels().dup()));
        }
        double diff = direct.params().sub(plain.params()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-6, backbone + ": parameters after 3 Adam steps differ by " + diff);
        assertEquals(direct.params().length(), plain.params().length());
    }

    private static DataSet batch(long seed) {
        return TestData.randomBatch(seed, 8, 3, 32);
    }

    private static long convBackwardOpsPerStep(ComputationGraph g) {
        g.fit(batch(1));
        long before = helperBackwardPasses(g);
        g.fit(batch(2));
        return helperBackwardPasses(g) - before;
    }

    private static long helperBackwardPasses(ComputationGraph g) {
        long n = 0;
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.getHelper() instanceof OneDnnConvolution h) {
                n += h.backwardCalls();
            }
        }
        return n;
    }

    /** Engaged: AlexNet's five convolutions run a backward pass through their oneDNN helper four times per step. */
    @Test
    void theImagesGradientIsNotComputed() {
        assertTrue(DirectWeightGradient.available(), "oneDNN's presets load on the CPU backend");
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 3, 32, 0.125, 16, FusionInit.IDENTITY, true, 0.0,
                1e-3, 5e-4, 8, 1, 1, 5L);
        ComputationGraph direct = ModelFactory.create(spec);
        String json = direct.getConfiguration().toJson();
        ComputationGraph plain = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                json.replace("\"inputGradient\" : false", "\"inputGradient\" : true")));
        plain.init();
        OneDnnHelpers.install(plain);
        assertEquals(5, convBackwardOpsPerStep(plain), "every convolution's backward pass through its helper");
        assertEquals(4, convBackwardOpsPerStep(direct), "conv1's weight gradient through oneDNN directly");
        assertTrue(firstConvolution(direct).usedDirectGradient(), "the direct gradient ran");
    }

    /**
     * oneDNN's presets and libnd4j share one OpenMP runtime (JavaCPP finds the {@code libgomp.so.1} ND4J loaded and
     * does not load the presets' own copy), so the thread count a cell sets for ND4J also bounds the direct
     * gradient's threads. Linux only: it reads this process's memory map.
     */
    @Test
    void oneOpenMpRuntimeServesNd4jAndTheDirectGradient() throws java.io.IOException {
        java.nio.file.Path maps = java.nio.file.Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(maps),
                "no /proc/self/maps on this OS: nothing to check");
        assertTrue(DirectWeightGradient.available(), "oneDNN's presets load on the CPU backend");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        INDArray dy = Nd4j.rand(DataType.FLOAT, 2, 4, 4, 4);
        INDArray dw = Nd4j.create(DataType.FLOAT, 4, 3, 5, 5);
        new DirectWeightGradient().compute(x, dy, dw, new int[] {5, 5}, new int[] {4, 4}, new int[] {1, 1},
                new int[] {2, 2});
        assertTrue(dw.norm2Number().doubleValue() > 0, "the gradient was computed");
        java.util.Set<String> runtimes = new java.util.TreeSet<>();
        for (String line : java.nio.file.Files.readAllLines(maps)) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.contains("libgomp")) {
                runtimes.add(line.substring(slash));
            }
        }
        assertEquals(1, runtimes.size(), "OpenMP runtimes mapped: " + runtimes);
    }

    /**
     * A network built on the plain engine (DL4J's helpers off) keeps DL4J's own path in the first layer too, so its
     * engine name, cpu-plain, is true; the same network on the fast engine goes through the direct gradient.
     */
    @Test
    void onThePlainEngineTheFirstLayerStaysOnDl4jsPath() {
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 3, 32, 0.125, 16, FusionInit.IDENTITY, true, 0.0,
                1e-3, 5e-4, 8, 1, 1, 5L);
        ComputationGraph fast = ModelFactory.create(spec);
        String before = System.getProperty(ComputeEngine.HELPERS_DISABLE);
        System.setProperty(ComputeEngine.HELPERS_DISABLE, "true");
        ComputationGraph plain;
        try {
            plain = ModelFactory.create(spec);
        } finally {
            if (before == null) {
                System.clearProperty(ComputeEngine.HELPERS_DISABLE);
            } else {
                System.setProperty(ComputeEngine.HELPERS_DISABLE, before);
            }
        }
        fast.fit(batch(1));
        plain.fit(batch(1));
        assertTrue(firstConvolution(fast).usedDirectGradient(), "fast engine: the direct gradient ran");
        assertFalse(firstConvolution(plain).usedDirectGradient(), "plain engine: DL4J's path");
        assertEquals("cpu-plain", ComputeEngine.of(plain));
    }

    private static LinearConvolution.Runtime firstConvolution(ComputationGraph g) {
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l instanceof LinearConvolution.Runtime r && !((LinearConvolution) r.layerConf()).isInputGradient()) {
                return r;
            }
        }
        throw new AssertionError("no LinearConvolution without input gradient in " + g.getConfiguration().toJson());
    }
}

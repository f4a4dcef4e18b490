package org.kpff.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput of one cell's network, the Java side of the PyTorch side-by-side benchmark
 * ({@code kpff-bench/side-by-side.sh}): builds the network a cell builds ({@link ModelFactory}, Adam with L2, batch
 * norm, 'same' padding), then times {@code ComputationGraph.fit} on one fixed random minibatch and prints one JSON
 * line (images/s, median step time, parameter count, engine, and the median CPU time of the training thread per
 * step: at one thread, where the step runs on that thread, a figure other processes on a loaded machine hardly move).
 *
 * <p>Uses only APIs that today's and earlier builds of kpff-core share, so the same source measures a baseline
 * build; the engine is read by reflection where {@code org.kpff.core.engine.ComputeEngine} exists.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.kpff.bench.TrainStepBenchmark --backbone alexnet --size 64
 * --width 0.5 --r 128 [--method kpff] [--classes 21] [--batch 50] [--warmup 3] [--warmup-seconds 0] [--seconds 20]
 * [--label x]}.
 */
public final class TrainStepBenchmark {

    private TrainStepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        CellSpec spec = spec(a);
        String backbone = spec.backbone();
        int size = spec.inputSize();
        double width = spec.width();
        int r = spec.projectionWidth();
        FusionMethod method = spec.method();
        int batch = spec.batchSize();
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
        double minSeconds = Double.parseDouble(a.getOrDefault("seconds", "20"));
        int minSteps = Integer.parseInt(a.getOrDefault("min-steps", "5"));
        String label = a.getOrDefault("label", "dl4j");

        String engine = engine();
        ComputationGraph net = ModelFactory.create(spec);
        // The threads a cell of this network trains on (kpff-core's CellThreads, where this build has it): the
        // offer is OMP_NUM_THREADS, as ND4J reads it.
        String threadsUsed = threadsFor(net, backbone + " " + size + " px w" + width, size);
        DataSet ds = fixedBatch(spec);
        // Untimed: at least --warmup steps and --warmup-seconds. The JVM's C2 compiler works for about 20 s into a
        // run at small shapes; while it does, it competes with the training for the cores (with two training
        // threads on two cores, for the cores the training needs).
        double warmupSeconds = Double.parseDouble(a.getOrDefault("warmup-seconds", "0"));
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) {
            net.fit(ds);
        }
        double[] stepMs = new double[Math.max(minSteps, 1) * 64];
        double[] cpuMs = new double[stepMs.length];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        int steps = 0;
        long[] gc0 = gcCountAndMillis();
        com.sun.management.ThreadMXBean amx = (com.sun.management.ThreadMXBean) mx;
        long alloc0 = amx.getCurrentThreadAllocatedBytes();
        // ND4J numbers every buffer it tracks for deallocation (a data or shape buffer, a view's wrapper) from this
        // counter; each leaves bookkeeping a young collection copies (see the README, issue 30)
        long buffers0 = org.nd4j.linalg.factory.Nd4j.getDeallocatorService().nextValue();
        long start = System.nanoTime();
        while (steps < minSteps || (System.nanoTime() - start) / 1e9 < minSeconds) {
            long t0 = System.nanoTime();
            long c0 = mx.getCurrentThreadCpuTime();
            net.fit(ds);
            if (steps == stepMs.length) {
                stepMs = Arrays.copyOf(stepMs, steps * 2);
                cpuMs = Arrays.copyOf(cpuMs, steps * 2);
            }
            cpuMs[steps] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
            stepMs[steps++] = (System.nanoTime() - t0) / 1e6;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] gc1 = gcCountAndMillis();
        long gcs = gc1[0] - gc0[0];
        long gcMs = gc1[1] - gc0[1];
        double allocKb = (amx.getCurrentThreadAllocatedBytes() - alloc0) / 1024.0 / steps;
        double buffers = (org.nd4j.linalg.factory.Nd4j.getDeallocatorService().nextValue() - buffers0 - 1)
                / (double) steps;
        double[] sorted = Arrays.copyOf(stepMs, steps);
        Arrays.sort(sorted);
        double[] cpuSorted = Arrays.copyOf(cpuMs, steps);
        Arrays.sort(cpuSorted);
        String engineUsed = engineOf(net, engine);
        System.out.printf(Locale.ROOT, "{\"framework\":\"%s\",\"engine\":\"%s\",\"backbone\":\"%s\",\"size\":%d,"
                        + "\"width\":%s,\"r\":%d,\"method\":\"%s\",\"batch\":%d,\"threads\":\"%s\",\"threads_used\":\"%s\","
                        + "\"params\":%d,"
                        + "\"steps\":%d,\"seconds\":%.3f,\"images_per_s\":%.2f,\"step_ms_median\":%.2f,"
                        + "\"thread_cpu_ms_median\":%.2f,\"step_ms_mean\":%.2f,\"step_ms_p90\":%.2f,"
                        + "\"step_ms_max\":%.2f,\"gc_count\":%d,\"gc_ms\":%d,"
                        + "\"alloc_kib_per_step\":%.1f,\"nd4j_buffers_per_step\":%.0f}%n",
                label, engineUsed, backbone, size, width, r, method.name().toLowerCase(Locale.ROOT), batch,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), threadsUsed, net.params().length(),
                steps, seconds,
                steps * batch / seconds, sorted[sorted.length / 2], cpuSorted[cpuSorted.length / 2],
                seconds * 1e3 / steps, sorted[(int) (sorted.length * 0.9)], sorted[sorted.length - 1], gcs, gcMs,
                allocKb, buffers);
    }

    /** Collections so far and the milliseconds spent in them, all collectors (G1's young and mixed, full). */
    private static long[] gcCountAndMillis() {
        long[] n = new long[2];
        for (java.lang.management.GarbageCollectorMXBean b
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            n[0] += Math.max(0, b.getCollectionCount());
            n[1] += Math.max(0, b.getCollectionTime());
        }
        return n;
    }

    private static String engine() {
        try {
            Class<?> c = Class.forName("org.kpff.core.engine.ComputeEngine");
            Object e = c.getMethod("initialize").invoke(null);
            return (String) e.getClass().getMethod("id").invoke(e);
        } catch (ClassNotFoundException e) {
            return "baseline";
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String threadsFor(ComputationGraph net, String what, int size) {
        try {
            Class<?> c = Class.forName("org.kpff.core.engine.CellThreads");
            Object n = c.getMethod("apply", ComputationGraph.class, String.class, int.class).invoke(null, net, what,
                    size);
            return String.valueOf(n);
        } catch (ClassNotFoundException e) {
            return System.getenv().getOrDefault("OMP_NUM_THREADS", "default");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String engineOf(ComputationGraph net, String fallback) {
        try {
            Class<?> c = Class.forName("org.kpff.core.engine.ComputeEngine");
            return (String) c.getMethod("of", ComputationGraph.class).invoke(null, net);
        } catch (ClassNotFoundException e) {
            return fallback;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cell this benchmark builds (Adam with L2, batch norm, dropout 0.5) from {@code --backbone --size --width
     * --r --method --classes --batch}.
     */
    static CellSpec spec(Map<String, String> a) {
        return new CellSpec(a.getOrDefault("backbone", "alexnet"),
                FusionMethod.valueOf(a.getOrDefault("method", "kpff").toUpperCase(Locale.ROOT)),
                Integer.parseInt(a.getOrDefault("classes", "21")), Integer.parseInt(a.getOrDefault("size", "32")),
                Double.parseDouble(a.getOrDefault("width", "0.125")), Integer.parseInt(a.getOrDefault("r", "64")),
                FusionInit.IDENTITY, true, 0.5, 1e-4, 5e-4, Integer.parseInt(a.getOrDefault("batch", "50")), 1, 1,
                42L);
    }

    /** One fixed random minibatch of the spec's shape, the labels cycling through the classes. */
    static DataSet fixedBatch(CellSpec spec) {
        Nd4j.getRandom().setSeed(7);
        int batch = spec.batchSize();
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, spec.inputSize(), spec.inputSize());
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, spec.classes());
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % spec.classes(), 1f);
        }
        return new DataSet(x, y);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --key value pairs, got '" + args[i] + "'");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}

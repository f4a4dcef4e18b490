package org.kpff.bench;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.api.memory.Deallocatable;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a training step's ND4J buffers come from: counts, by call site, every buffer ND4J registers for deallocation
 * (a data or shape buffer, a view's wrapper) during a few training steps. Each one leaves bookkeeping on the Java heap
 * that a young collection copies (a deallocator reference keyed by a String id, JavaCPP's deallocator, the native
 * wrapper), so this count, not the bytes, sets what collections cost at small shapes (README, issue 30).
 *
 * <p>Counts through a {@link DeallocatorService} that records the caller of each registration and then registers it as
 * ND4J would; the network is the one {@link TrainStepBenchmark} times. Usage: {@code java -cp benchmarks.jar
 * org.kpff.bench.BufferCensus --backbone inception --size 32 --width 0.125 --r 64 [--steps 5] [--top 40]}.
 */
public final class BufferCensus {

    private BufferCensus() {
    }

    /** Records the first project or DL4J frame (and the one below it) of each registration. */
    static final class Counting extends DeallocatorService {
        final Map<String, LongAdder> sites = new ConcurrentHashMap<>();
        volatile boolean on;

        @Override
        public void pickObject(Deallocatable deallocatable) {
            if (on) {
                sites.computeIfAbsent(site(), k -> new LongAdder()).increment();
            }
            super.pickObject(deallocatable);
        }

        private static String site() {
            StackTraceElement[] st = new Throwable().getStackTrace();
            List<String> frames = new ArrayList<>();
            String nd4j = null;
            for (StackTraceElement e : st) {
                String c = e.getClassName();
                if (c.startsWith("org.kpff.bench") && !c.contains("BufferCensus")) {
                    break;
                }
                if (c.contains("BufferCensus")) {
                    continue;
                }
                if (c.startsWith("org.kpff") || c.startsWith("org.deeplearning4j")) {
                    frames.add(c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName() + ":" + e.getLineNumber());
                    if (frames.size() == 2) {
                        break;
                    }
                } else if (frames.isEmpty() && !c.contains("Buffer") && !c.contains("Deallocat")
                        && !c.contains("Pointer") && !c.contains("Factory")) {
                    nd4j = c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
                }
            }
            return String.join(" < ", frames) + (nd4j == null ? "" : "  [" + nd4j + "]");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = TrainStepBenchmark.parse(args);
        int steps = Integer.parseInt(a.getOrDefault("steps", "5"));
        int top = Integer.parseInt(a.getOrDefault("top", "40"));

        Counting counting = new Counting();
        Field f = Nd4j.class.getDeclaredField("deallocatorService");
        f.setAccessible(true);
        Nd4j.getDeallocatorService();
        f.set(null, counting);

        CellSpec spec = TrainStepBenchmark.spec(a);
        ComputationGraph net = ModelFactory.create(spec);
        DataSet ds = TrainStepBenchmark.fixedBatch(spec);
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        counting.on = true;
        for (int i = 0; i < steps; i++) {
            net.fit(ds);
        }
        counting.on = false;
        List<Map.Entry<String, LongAdder>> rows = new ArrayList<>(counting.sites.entrySet());
        rows.sort((p, q) -> Long.compare(q.getValue().sum(), p.getValue().sum()));
        long total = rows.stream().mapToLong(e -> e.getValue().sum()).sum();
        System.out.printf(Locale.ROOT, "%s %d px w%s r%d %s: %.0f buffers per step%n", spec.backbone(),
                spec.inputSize(), spec.width(), spec.projectionWidth(), spec.method(), total / (double) steps);
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            System.out.printf(Locale.ROOT, "%8.1f  %s%n", rows.get(i).getValue().sum() / (double) steps,
                    rows.get(i).getKey());
        }
    }
}

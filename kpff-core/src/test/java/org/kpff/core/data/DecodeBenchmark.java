package org.kpff.core.data;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * Timing program (not a unit test): decode throughput of ucmerced-mini (original TIFFs) at 224×224 on 1 thread and
 * on {@link DecodedImages#defaultThreads()}, and the memory of all 2,100 UC Merced images decoded at 224×224 (the
 * ucmerced-64 PNGs upsampled: the same footprint), computed and measured.
 *
 * <pre>
 * mvn -q -o -pl kpff-core test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp kpff-core/target/test-classes:kpff-core/target/classes:$(cat kpff-core/target/cp.txt) \
 *     org.kpff.core.data.DecodeBenchmark /work/shared/data
 * </pre>
 * Prints its report on standard output: it is a command-line program.
 */
public final class DecodeBenchmark {

    private static final int SIZE = 224;
    private static final int RUNS = 5;

    private DecodeBenchmark() {
    }

    public static void main(String[] args) {
        String dir = args.length > 0 ? args[0] : System.getenv().getOrDefault("KPFF_TEST_DATA", "../shared/data");
        Path data = Path.of(dir).toAbsolutePath().normalize();
        Configuration conf = new Configuration();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "Java %s, %d available processors, max heap %d MiB%n",
                System.getProperty("java.version"), cores, Runtime.getRuntime().maxMemory() >> 20);

        DatasetListing mini = SceneDataset.list(data.resolve("ucmerced-mini").toUri().toString(), conf);
        DecodedImages.decode(mini, SIZE, DecodedImages.defaultThreads(), conf); // warm-up: JIT, ImageIO, Hadoop
        for (int threads : new int[] {1, DecodedImages.defaultThreads()}) {
            double[] rates = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                long t0 = System.nanoTime();
                DecodedImages images = DecodedImages.decode(mini, SIZE, threads, conf);
                double seconds = (System.nanoTime() - t0) / 1e9;
                rates[r] = images.decodedCount() / seconds;
            }
            Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "ucmerced-mini (%d TIFF, 256x256 -> %dx%d), %d thread(s): median %.0f "
                    + "images/s (min %.0f, max %.0f over %d runs)%n", mini.size(), SIZE, SIZE, threads,
                    rates[RUNS / 2], rates[0], rates[RUNS - 1], RUNS);
        }

        DatasetListing all = SceneDataset.list(data.resolve("ucmerced-64").toUri().toString(), conf);
        long computed = (long) all.size() * 3 * SIZE * SIZE;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedHeapAfterGc(memory);
        long t0 = System.nanoTime();
        DecodedImages images = ImageCache.get(all, SIZE, true, conf);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long after = usedHeapAfterGc(memory);
        System.out.printf(Locale.ROOT, "ucmerced-64 (%d PNG, 64x64 -> %dx%d): decoded in %.2f s (%.0f images/s)%n",
                all.size(), SIZE, SIZE, seconds, images.decodedCount() / seconds);
        System.out.printf(Locale.ROOT, "cache memory for %d images at %dx%d: computed %d bytes (%.1f MiB), "
                + "held %d bytes, heap growth after GC %d bytes (%.1f MiB)%n", all.size(), SIZE, SIZE, computed,
                computed / 1048576.0, ImageCache.cachedBytes(), after - before, (after - before) / 1048576.0);
        if (images.size() != all.size()) {
            throw new IllegalStateException("decoded " + images.size() + " of " + all.size());
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}

package org.kpff.job.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.KryoRegistration;

/**
 * Samples per second of the same KPFF cells trained locally (one task, one core per cell) and data-parallel (two
 * workers of one core), side by side in one JVM on {@code local[2]}. Not a unit test: run it by hand, e.g.
 *
 * <pre>
 * mvn -o -q -pl spark-job -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt \
 *     -Dmdep.includeScope=test
 * cd spark-job
 * java ${spark.jvm.opens of the parent pom} -Xmx3g -cp "target/test-classes:target/classes:$(cat /tmp/cp.txt)" \
 *     org.kpff.job.driver.DataParallelBenchmark [perClass] [epochs]
 * </pre>
 *
 * <p>Samples/s of a cell = training images × epochs / {@code train_seconds} (which also holds its one final
 * evaluation and checkpoint, the same work in every mode).
 */
public final class DataParallelBenchmark {

    private DataParallelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int perClass = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path tmp = Files.createTempDirectory("kpff-dp-bench");
        String data = tmp.resolve("data").toUri().toString();
        SyntheticScenes.generate(data, 3, perClass, 32, 5, new Configuration());
        SparkSession spark = SparkSession.builder().master("local[2]").appName("DataParallelBenchmark")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", KryoRegistration.REGISTRATORS).getOrCreate();
        List<String> base = List.of("data.input-size=32", "data.folds=2", "model.width=0.25",
                "model.projection-width=32", "train.epochs=" + epochs, "train.batch-size=10", "eval.every=" + epochs,
                "model.backbones=[alexnet]", "model.methods=[kpff]", "train.learning-rate=0.001");
        String[][] modes = {
            {"local, 1 cell at a time", "run.max-concurrent-cells=1"},
            {"local, 2 cells side by side", "run.max-concurrent-cells=2"},
            {"data-parallel, 2 workers, averaging every minibatch", "run.mode=data-parallel",
                "run.data-parallel.workers=2", "run.data-parallel.averaging-frequency=1"},
            {"data-parallel, 2 workers, averaging every 5 minibatches", "run.mode=data-parallel",
                "run.data-parallel.workers=2", "run.data-parallel.averaging-frequency=5"},
        };
        int trainImages = 3 * perClass / 2;
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "%d training images per cell, 32 px, AlexNet width 0.25, KPFF, batch 10, %d epochs, 2 cells%n",
                trainImages, epochs));
        // Warm-up (JIT, the per-JVM decode), not reported.
        List<String> warm = new ArrayList<>(base);
        warm.add("train.epochs=1");
        new JobDriver(spark).run(JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, warm), data,
                tmp.resolve("warm-up").toUri().toString(), false, List.of("bench"));
        int run = 0;
        for (String[] mode : modes) {
            List<String> o = new ArrayList<>(base);
            o.addAll(List.of(mode).subList(1, mode.length));
            String out = tmp.resolve("run" + run++).toUri().toString();
            long t0 = System.nanoTime();
            new JobDriver(spark).run(JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, o), data, out, false,
                    List.of("bench"));
            double wall = (System.nanoTime() - t0) / 1e9;
            List<Row> cells = spark.read().parquet(out + "/cells/*").select("cell_id", "train_seconds",
                    "final_accuracy").collectAsList();
            double seconds = 0;
            double acc = 0;
            for (Row r : cells) {
                seconds += r.getDouble(1);
                acc += r.getDouble(2);
            }
            report.append(String.format(Locale.ROOT, "%-58s %7.1f samples/s per cell (mean train_seconds %.1f), "
                    + "grid wall %.1f s, mean accuracy %.3f%n", mode[0],
                    trainImages * (double) epochs * cells.size() / seconds, seconds / cells.size(), wall,
                    acc / cells.size()));
        }
        spark.stop();
        org.slf4j.LoggerFactory.getLogger(DataParallelBenchmark.class).warn("\n{}", report);
        Files.writeString(Path.of("target", "dp-bench.txt"), report.toString());
    }
}

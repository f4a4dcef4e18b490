package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.ResultSchemas;

/**
 * The shipped smoke grid (3 backbones × 4 methods × 2 folds, 32×32, width 1/8) on the real UC Merced images (the
 * 64×64 copy, 2,100 images), for one epoch instead of four so that the build stays well under its time budget on two
 * cores (the four-epoch grid takes several minutes per VGG-16 cell there).
 */
class RealImagesSmokeTest {

    @TempDir
    Path tmp;
    SparkSession spark;
    Path data;

    @BeforeEach
    void needsRealImages() {
        data = org.kpff.core.testing.TestData.require("ucmerced-64");
        spark = SparkSession.builder().master("local[2]").appName("RealImagesSmokeTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterEach
    void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void smokeGridCompletesOnUcMerced64() throws Exception {
        JobConfig smoke = JobConfig.load(Path.of("../conf/smoke.conf"), List.of("train.epochs=1", "eval.every=1"));
        String out = tmp.resolve("smoke").toUri().toString();
        JobDriver.Report r = new JobDriver(spark).run(smoke, data.toUri().toString(), out, false, List.of("run"));
        assertEquals(24, r.planned());
        assertEquals(24, r.ok(), "every smoke cell trains to the end");
        List<Row> cells = spark.read().schema(ResultSchemas.CELLS).parquet(out + "/cells/*").collectAsList();
        assertEquals(24, cells.size());
        assertEquals(24, spark.read().schema(ResultSchemas.METRICS).parquet(out + "/metrics/*").count());
        assertEquals(24 * 1050, spark.read().schema(ResultSchemas.PREDICTIONS).parquet(out + "/predictions/*").count());
        assertTrue(r.summary().contains("AlexNet") && r.summary().contains("Inception"), r.summary());
    }
}

package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.results.ResultSchemas;

/** The job with its dataset on and its results written to a real in-process HDFS (MiniDFSCluster). */
class HdfsJobTest {

    @TempDir
    static Path tmp;
    static MiniDFSCluster cluster;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        spark = SparkSession.builder().master("local[2]").appName("HdfsJobTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void dataInAndResultsOutOnHdfs() throws Exception {
        String hdfs = cluster.getURI().toString();
        String data = hdfs + "/datasets/scenes";
        String out = hdfs + "/runs/r1";
        SyntheticScenes.generate(data, 3, 6, 16, 9, spark.sparkContext().hadoopConfiguration());

        JobDriver.Report r = new JobDriver(spark).run(JobEndToEndTest.tiny("model.methods=[concat,kpff]"), data, out,
                false, List.of("run"));
        assertEquals(4, r.ok());

        FileSystem fs = cluster.getFileSystem();
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/r1/run.json")));
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/r1/summary.md")));
        assertEquals(4, spark.read().schema(ResultSchemas.CELLS).parquet(out + "/cells/*").count());
        assertEquals(4 * 2, spark.read().schema(ResultSchemas.METRICS).parquet(out + "/metrics/*").count());
        assertEquals(4 * 9, spark.read().schema(ResultSchemas.PREDICTIONS).parquet(out + "/predictions/*").count());
        assertEquals(18, spark.read().parquet(out + "/folds.parquet").count());
        assertEquals(2, spark.read().parquet(out + "/summary.parquet").count());
        // Checkpoints went to HDFS too (one folder per cell).
        assertEquals(4, fs.listStatus(new org.apache.hadoop.fs.Path("/runs/r1/checkpoints")).length);
    }
}

package org.kpff.job.results;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.kpff.job.testing.S3Server;

class S3ProbeTest {
    @Test
    void probe() throws Exception {
        try (S3Server s3 = S3Server.start("probe")) {
            SparkSession spark = s3.configure(SparkSession.builder().master("local[2]").appName("p")
                    .config("spark.ui.enabled", "false")).getOrCreate();
            try {
                spark.conf().set("spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
                spark.conf().set("spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
                spark.sparkContext().hadoopConfiguration().set("fs.s3a.committer.name", "magic");
                FileSystem fs = new Path(s3.root() + "/").getFileSystem(spark.sparkContext().hadoopConfiguration());
                System.err.println("FS " + fs.getClass() + " caps " + fs.hasPathCapability(new Path(s3.root()+"/x"), "fs.s3a.capability.magic.committer"));
                s3.resetCounts();
                spark.range(10).coalesce(1).write().parquet(s3.root() + "/t/a");
                System.err.println("COUNTS " + s3.counts());
                System.err.println("STATS " + ((org.apache.hadoop.fs.statistics.IOStatisticsSource) fs).getIOStatistics());
                for (var st : fs.listStatus(new Path(s3.root() + "/t/a"))) System.err.println("F " + st.getPath());
                System.err.println("N " + spark.read().parquet(s3.root() + "/t/a").count());
            } finally {
                spark.stop();
            }
        }
    }
}

package org.kpff.job.results;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.fs.StoreSemantics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses how Spark SQL commits the job's Parquet writes for the run folder's store: Spark's default rename-based
 * committer where rename is atomic (HDFS, local), and on {@code s3a://} the S3A magic committer, which uploads each
 * file to its final name and completes the upload at job commit, with no copy and no rename
 * ({@code PathOutputCommitProtocol} and {@code BindingParquetOutputCommitter} from spark-hadoop-cloud,
 * {@code fs.s3a.committer.name=magic}). Settings the user gave are kept.
 */
public final class CommitProtocols {

    private static final Logger LOG = LoggerFactory.getLogger(CommitProtocols.class);

    /** Spark SQL's commit protocol setting. */
    public static final String PROTOCOL_CONF = "spark.sql.sources.commitProtocolClass";
    /** Spark SQL's Parquet committer setting. */
    public static final String PARQUET_COMMITTER_CONF = "spark.sql.parquet.output.committer.class";
    /** spark-hadoop-cloud's protocol that binds Spark SQL to Hadoop's PathOutputCommitter factories. */
    public static final String CLOUD_PROTOCOL = "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
    /** spark-hadoop-cloud's Parquet committer that defers to the bound committer. */
    public static final String CLOUD_PARQUET_COMMITTER =
            "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter";
    private static final String DEFAULT_PROTOCOL =
            "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol";
    private static final String DEFAULT_PARQUET_COMMITTER = "org.apache.parquet.hadoop.ParquetOutputCommitter";
    private static final String S3A_COMMITTER = "fs.s3a.committer.name";

    private CommitProtocols() {
    }

    /**
     * Binds Spark SQL's writes in {@code spark} to the magic committer when {@code outUri} is on S3A and
     * spark-hadoop-cloud is on the class path; warns when it is not, or when the store is another object store.
     *
     * @return the committer the run's tables go through: {@code rename}, {@code magic} or {@code default}
     */
    public static String configure(SparkSession spark, String outUri) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path root = new Path(outUri);
        FileSystem fs = root.getFileSystem(conf);
        if (StoreSemantics.atomicRename(fs, conf)) {
            return "rename";
        }
        String scheme = fs.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("s3a")) {
            LOG.warn("Output {} is on {}://, whose rename is not atomic: cells commit by writing final names with a "
                    + "marker last; Spark's default committer still copies each file once more on job commit (a "
                    + "zero-rename committer for {} is the connector's to configure).", outUri, scheme, scheme);
            return "default";
        }
        if (!onClassPath(CLOUD_PROTOCOL)) {
            LOG.warn("Output {} is on s3a:// but spark-hadoop-cloud is not on the class path: Spark's default "
                    + "committer copies every Parquet file twice (rename = copy + delete on S3). Add "
                    + "org.apache.spark:spark-hadoop-cloud_2.12 (--packages) for the S3A magic committer.", outUri);
            return "default";
        }
        String protocol = spark.conf().get(PROTOCOL_CONF, DEFAULT_PROTOCOL);
        if (protocol.equals(DEFAULT_PROTOCOL)) {
            spark.conf().set(PROTOCOL_CONF, CLOUD_PROTOCOL);
        }
        if (spark.conf().get(PARQUET_COMMITTER_CONF, DEFAULT_PARQUET_COMMITTER).equals(DEFAULT_PARQUET_COMMITTER)) {
            spark.conf().set(PARQUET_COMMITTER_CONF, CLOUD_PARQUET_COMMITTER);
        }
        String committer = conf.getTrimmed(S3A_COMMITTER, "file");
        if (committer.equals("file")) {
            conf.set(S3A_COMMITTER, "magic");
            committer = "magic";
        }
        if (committer.equals("magic") && !fs.hasPathCapability(root, "fs.s3a.capability.magic.committer")) {
            LOG.warn("Output {}: the S3A magic committer is disabled for this bucket (fs.s3a.committer.magic.enabled)"
                    + "; set it to true, or set {} to directory.", outUri, S3A_COMMITTER);
        }
        LOG.info("Output {} is on s3a://: tables commit through the S3A {} committer ({}), cells by final names with "
                + "their cells object last.", outUri, committer, spark.conf().get(PROTOCOL_CONF));
        return committer;
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, CommitProtocols.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

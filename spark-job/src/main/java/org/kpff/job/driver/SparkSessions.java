package org.kpff.job.driver;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Creates the job's SparkSession: the master from spark-submit, or an embedded {@code local[*]} Spark. */
public final class SparkSessions {

    private SparkSessions() {
    }

    /** A session named {@code appName}; {@code local[*]} when no master was given (submit/local.sh, tests). */
    public static SparkSession create(String appName) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(appName)
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.parquet.compression.codec", "snappy");
        if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        return b.getOrCreate();
    }
}

package org.kpff.job.driver;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.CellResult;
import org.kpff.job.results.RunLayout;

/**
 * What a {@link CellSource} sees of the run folder an attempt opened: the config, the dataset's class count and
 * folds, the cells committed before this attempt, and atomic writes of whole-run files and tables.
 */
public final class OpenedRun {

    private final RunSession session;
    private final Configuration hadoopConf;
    private final JobConfig config;
    private final String dataUri;
    private final String outUri;

    OpenedRun(RunSession session, Configuration hadoopConf, JobConfig config, String dataUri, String outUri) {
        this.session = session;
        this.hadoopConf = hadoopConf;
        this.config = config;
        this.dataUri = dataUri;
        this.outUri = outUri;
    }

    /** The run's validated config, search section included. */
    public JobConfig config() {
        return config;
    }

    /** The dataset root. */
    public String dataUri() {
        return dataUri;
    }

    /** The output folder. */
    public String outUri() {
        return outUri;
    }

    /** The run folder's paths. */
    public RunLayout layout() {
        return session.layout();
    }

    /** Number of classes in the dataset. */
    public int classCount() {
        return session.listing().classCount();
    }

    /** Number of folds (k). */
    public int folds() {
        return session.folds().k();
    }

    /** The Hadoop configuration of the run folder's FileSystem. */
    public Configuration hadoopConf() {
        return hadoopConf;
    }

    /** The ids of the cells committed before this attempt. */
    public java.util.Set<String> committedIds() {
        return session.committed();
    }

    /** The rows of every cell committed before this attempt, by cell id. */
    public Map<String, CellResult> committedResults() throws IOException {
        return session.writer().committedResults();
    }

    /** Records a number in this attempt's entry of run.json. */
    public void recordAttempt(String key, long value) {
        session.attempt().put(key, value);
    }

    /** Writes a text file atomically (temporary file, rename). */
    public void writeText(String uri, String text) throws IOException {
        session.writer().writeText(uri, text);
    }

    /** Replaces a whole-run Parquet table (a folder) with these rows, atomically. */
    public void writeTable(String uri, StructType schema, List<Row> rows) throws IOException {
        session.writer().writeTable(uri, schema, rows);
    }

    /** Writes a binary file (a plot) next to the run's other files. */
    public void writeBytes(String uri, byte[] bytes) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        try (var out = p.getFileSystem(hadoopConf).create(p, true)) {
            out.write(bytes);
        }
    }
}

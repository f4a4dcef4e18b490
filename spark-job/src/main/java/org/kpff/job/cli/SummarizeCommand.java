package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.driver.JobDriver;
import org.kpff.job.driver.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code summarize}: re-aggregates a run's committed cells into summary.parquet and summary.md. */
@Command(name = "summarize", mixinStandardHelpOptions = true,
        description = "Aggregates the committed cells of a run (also a partial one) into summary.parquet and summary.md.")
public final class SummarizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Run output folder.")
    String out;

    @Override
    public Integer call() throws Exception {
        try (SparkSession spark = SparkSessions.create("kpff summarize " + out)) {
            out().println(new JobDriver(spark).summarize(out));
            return 0;
        }
    }
}

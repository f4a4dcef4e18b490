package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.JobDriver;
import org.kpff.job.driver.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: trains the grid of a config (folds × backbones × methods) and writes results and summary. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a cross-validation grid: one Spark task (one GPU) per cell, Parquet results, summary.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset root: a folder of class folders (file://, hdfs://, ...). Default: the config's "
                    + "data.uri; submit/local.sh passes data/synthetic (generated on first use) when --data is not given.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Run output folder.")
    String out;

    @Option(names = "--resume", description = "Continue the run in --out: only cells not yet committed are trained.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        JobConfig config = configOptions.load();
        if (config.search().enabled()) {
            throw new IllegalArgumentException("The config sets search.strategy = " + config.search().strategy().id()
                    + ": run it with the search subcommand, or set search.strategy = none for a plain run.");
        }
        String dataUri = data != null ? data : config.requireDataUri();
        try (SparkSession spark = SparkSessions.create("kpff run " + out)) {
            JobDriver.Report report = new JobDriver(spark).run(config, dataUri, out, resume, configOptions.argv("run", out, data, resume));
            if (!report.undecodable().isEmpty()) {
                spec.commandLine().getErr().printf("warning: %d image(s) cannot be decoded and were skipped by every "
                        + "cell (data.strict = false; listed in run.json): %s%n", report.undecodable().size(),
                        report.undecodable().stream().limit(10).map(Object::toString)
                                .collect(java.util.stream.Collectors.joining("; ")));
            }
            if (!report.summary().isEmpty()) {
                out().println(report.summary());
            }
            out().printf("Cells: %d trained now (%d ok, %d failed), %d already committed, %d incomplete.%n",
                    report.ok() + report.failed(), report.ok(), report.failed(), report.skipped(), report.incomplete());
            out().println("Results: " + out);
            return report.incomplete() == 0 ? 0 : 1;
        }
    }
}

package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.JobDriver;
import org.kpff.job.driver.RunStopped;
import org.kpff.job.driver.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** {@code run}: trains the grid of a config (folds × backbones × methods) and writes results and summary. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a cross-validation grid: one task per cell (one GPU each where the cluster has GPUs), "
                + "Parquet results, summary.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunFolderOptions folder;

    @Override
    public Integer call() throws Exception {
        JobConfig config = configOptions.load();
        if (config.search().enabled()) {
            throw new IllegalArgumentException("The config sets search.strategy = " + config.search().strategy().id()
                    + ": run it with the search subcommand, or set search.strategy = none for a plain run.");
        }
        String out = folder.out;
        java.util.List<String> argv = configOptions.argv("run", folder);
        OutputFolderCheck.check(folder.out);
        String dataUri = folder.dataUri(config);
        try (StopSignals signals = StopSignals.install();
                SparkSession spark = SparkSessions.create("kpff run " + out)) {
            JobDriver.Report report;
            try {
                report = new JobDriver(spark).run(config, dataUri, out, folder.resume, argv);
            } catch (RunStopped stopped) {
                return StopSignals.report(stopped, argv, spec.commandLine().getErr());
            }
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

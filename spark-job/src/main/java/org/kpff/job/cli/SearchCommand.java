package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.SearchDriver;
import org.kpff.job.driver.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code search}: a hyperparameter search (grid, random, asha) over the config's search space. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Runs a hyperparameter search (the config's search section: grid, random or asha) with one "
                + "Spark task per cell; writes the run's tables plus trials/, search.md and best.conf.")
public final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset root: a folder of class folders (file://, hdfs://, ...). Default: the config's "
                    + "data.uri; submit/local.sh passes data/synthetic (generated on first use) when --data is not given.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Search output folder.")
    String out;

    @Option(names = "--resume", description = "Continue the search in --out: committed cells are not trained again "
            + "and lead to the same decisions.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        JobConfig config = configOptions.load();
        if (!config.search().enabled()) {
            throw new IllegalArgumentException("The config has no search: set search.strategy to grid, random or asha "
                    + "and search.space (see conf/search-example.conf), or use the run subcommand.");
        }
        String dataUri = data != null ? data : config.requireDataUri();
        java.io.PrintWriter out = spec.commandLine().getOut();
        try (SparkSession spark = SparkSessions.create("kpff search " + this.out)) {
            SearchDriver.Report r = new SearchDriver(spark).search(config, dataUri, this.out, resume, configOptions.argv("search", this.out, data, resume));
            out.println(r.markdown());
            out.printf("Trials: %d (%d completed, %d stopped, %d failed, %d unfinished). Cells: %d trained now, %d "
                    + "already committed, %d incomplete. Epoch-cells: %d of %d.%n", r.trials(), r.completed(),
                    r.stopped(), r.failed(), r.unfinished(), r.cellsRun(), r.cellsRestored(), r.incomplete(),
                    r.epochCells(), r.fullEpochCells());
            if (r.best() != null) {
                out.println("Best trial " + r.best().trial() + " " + r.best().hp() + ": " + this.out + "/best.conf");
            }
            out.println("Results: " + this.out);
            return r.incomplete() == 0 && r.unfinished() == 0 ? 0 : 1;
        }
    }
}

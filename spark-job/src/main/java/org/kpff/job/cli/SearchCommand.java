package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.RunStopped;
import org.kpff.job.driver.SparkSessions;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code search}: a hyperparameter search (grid, random, asha, hyperband, tpe; plain or nested) over the config's
 * search space.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Runs a hyperparameter search (the config's search section: grid, random, asha, hyperband or tpe) with one "
                + "Spark task per cell; writes the run's tables plus trials/, search.md, best.conf and, for a nested search "
                + "(search.nested = true), nested.parquet with the nested estimate.")
public final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunFolderOptions folder;

    @Override
    public Integer call() throws Exception {
        JobConfig config = configOptions.load();
        if (!config.search().enabled()) {
            throw new IllegalArgumentException("The config has no search: set search.strategy to grid, random, asha or "
                    + "tpe and search.space (see conf/search-example.conf), or use the run subcommand.");
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.util.List<String> argv = configOptions.argv("search", folder);
        OutputFolderCheck.check(folder.out);
        String dataUri = folder.dataUri(config);
        try (StopSignals signals = StopSignals.install();
                SparkSession spark = SparkSessions.create("kpff search " + folder.out)) {
            SearchReport r;
            try {
                r = new SearchJob(spark).search(config, dataUri, folder.out, folder.resume, argv);
            } catch (RunStopped stopped) {
                return StopSignals.report(stopped, argv, spec.commandLine().getErr());
            }
            out.println(r.markdown());
            out.printf("Trials: %d (%d completed, %d stopped, %d failed, %d unfinished). Cells: %d trained now, %d "
                    + "already committed, %d incomplete. Epoch-cells: %d of %d%s.%n", r.trials(), r.completed(),
                    r.stopped(), r.failed(), r.unfinished(), r.cellsRun(), r.cellsRestored(), r.incomplete(),
                    r.epochCells(), r.fullEpochCells(), config.search().foldPruning() ? "; fold pruning: "
                    + r.pruned() + " trials pruned, " + r.savedEpochCells() + " epoch-cells saved" : "");
            if (r.budget() != null) {
                out.println(r.budget());
            }
            if (r.best() != null) {
                out.println("Best trial " + r.best().trial() + " " + r.best().hp() + ": " + folder.out + "/best.conf");
            }
            out.println("Results: " + folder.out);
            return r.incomplete() == 0 && r.unfinished() == 0 ? 0 : 1;
        }
    }
}

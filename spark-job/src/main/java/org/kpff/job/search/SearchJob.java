package org.kpff.job.search;

import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.JobDriver;

/**
 * The {@code search} subcommand's entry: the one {@link JobDriver} running a {@link SearchSource} (plain or
 * nested) with the {@link Objective#ACCURACY} objective; everything else is the driver's, as for any run.
 */
public final class SearchJob {

    private final JobDriver driver;

    public SearchJob(SparkSession spark) {
        this.driver = new JobDriver(spark);
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config  the validated config with a search section
     * @param dataUri dataset root
     * @param outUri  output folder
     * @param resume  continue the search in {@code outUri}
     * @param argv    the command line, recorded in run.json
     * @throws IllegalArgumentException when the config has no search, or on the refusals of a plain run, or when
     *                                  a resumed search's committed results contradict its recorded decisions
     */
    public SearchReport search(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        if (!config.search().enabled()) {
            throw new IllegalArgumentException("The config has no search: set search.strategy to grid, random, asha or "
                    + "tpe and search.space (see conf/search-example.conf), or use the run subcommand.");
        }
        SearchSource[] source = new SearchSource[1];
        JobDriver.Report r = driver.run(config, dataUri, outUri, resume, argv,
                run -> source[0] = SearchSource.open(run, Objective.ACCURACY));
        return source[0].report().withCells(r.planned(), r.incomplete());
    }
}

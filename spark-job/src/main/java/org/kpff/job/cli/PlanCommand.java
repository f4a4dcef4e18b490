package org.kpff.job.cli;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.SceneDataset;
import org.kpff.core.data.StratifiedKFold;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.CellCommitter;
import org.kpff.job.plan.GridCell;
import org.kpff.job.plan.GridCostReport;
import org.kpff.job.plan.GridPlanner;
import org.kpff.job.results.RunLayout;
import org.kpff.job.search.SearchCost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code plan}: a dry run that prints totals and a projected wall time, then cells by backbone × method and models. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Dry run: prints the total FLOPs and a projected wall time of the cells a run would train, then "
                + "the cells by backbone/method and the parameters and FLOPs of each model. No training, no Spark.")
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset to count images and classes from (listing only). Default: UC Merced's 2100 images, 21 classes.")
    String data;

    @Option(names = "--out", paramLabel = "URI", description = "With --resume: skip the cells this run already committed.")
    String out;

    @Option(names = "--resume", description = "Skip cells already committed in --out.")
    boolean resume;

    @Option(names = "--tflops", defaultValue = "20",
            description = "Sustained training throughput per slot in TFLOP/s (default ${DEFAULT-VALUE}).")
    double tflops;

    @Option(names = "--slots", defaultValue = "1", description = "GPU slots working in parallel (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--cells", description = "Also list every cell with its FLOPs (the report groups them by "
            + "backbone/method).")
    boolean everyCell;

    @Override
    public Integer call() throws Exception {
        JobConfig config = configOptions.load();
        int images = 2100;
        int classes = 21;
        DatasetListing listing = null;
        if (data != null) {
            listing = SceneDataset.list(data, new Configuration());
            images = listing.size();
            classes = listing.classCount();
        }
        Set<String> committed = Set.of();
        if (resume) {
            if (out == null) {
                throw new IllegalArgumentException("--resume needs --out (the run whose committed cells to skip).");
            }
            committed = new CellCommitter(new RunLayout(out), new Configuration()).committedCells();
        }
        List<GridCell> cells = GridPlanner.plan(config, classes, committed);
        out().printf("Dataset: %d images, %d classes, %d folds%s%n", images, classes, config.data().folds(),
                data == null ? " (UC Merced defaults; pass --data to count a real dataset)" : "");
        if (!committed.isEmpty()) {
            out().printf("Skipping %d committed cells of %s.%n", committed.size(), out);
        }
        if (config.search().enabled()) {
            // The grid below is one point (the config's own values); the search trains this many epoch-cells.
            out().print(SearchCost.of(config).toText(config.search().nested(), config.search().budget()));
        }
        out().print(GridCostReport.of(config, cells, images, classes).toText(tflops, slots, everyCell));
        for (String refusal : refusals(config, listing, images / classes)) {
            out().println("Warning: run would refuse this plan: " + refusal);
        }
        return 0;
    }

    /**
     * What {@code run} would refuse in this plan before training: folds the dataset cannot make (a class with fewer
     * images than data.folds). Without --data, UC Merced's 100 images per class stand for the dataset.
     */
    static List<String> refusals(JobConfig config, DatasetListing listing, int perClass) {
        int k = config.data().folds();
        if (listing != null) {
            try {
                StratifiedKFold.split(listing, k, config.data().foldSeed());
                return List.of();
            } catch (DatasetException e) {
                return List.of(e.getMessage());
            }
        }
        return perClass >= k ? List.of() : List.of("data.folds = " + k + " but UC Merced has " + perClass
                + " images per class: every class needs at least data.folds images (one per held-out fold).");
    }
}

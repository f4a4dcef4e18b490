package org.kpff.job.driver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.data.SceneDataset;
import org.kpff.core.data.StratifiedKFold;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.ConcatFolding;
import org.kpff.core.head.FusionHead;
import org.kpff.core.model.CellSpec;
import org.kpff.core.train.HadoopCheckpoints;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.CellData;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;
import org.kpff.job.plan.GridCell;
import org.kpff.job.plan.GridPlanner;
import org.kpff.job.results.PaperTable1;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.SchemaVersion;
import org.kpff.job.results.RunLayout.CellTable;
import org.kpff.job.results.WDistances;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code equivalence} step: KPFF ≡ reparameterised Concat, checked on a run's own cells. For every committed
 * KPFF cell of a plain run it loads the final model from the cell's checkpoint, folds W into the classifier
 * ({@link ConcatFolding}: a Concat network with classifier V·(W ⊗ I_r)), runs both on the cell's held-out fold
 * (decoded and normalised exactly as the cell was) and reports whether every prediction is identical and the largest
 * probability difference. Writes {@code equivalence.md} into the run folder. Runs in the driver JVM, without Spark.
 *
 * <p>A cell can only be checked when its final model is there: runs with {@code run.checkpoint = true} (the default)
 * keep it at {@code checkpoints/<cell id>}; a cell without one is listed as not checked, with the reason. The cells
 * of a search (hyperparameter points) are not covered.
 */
public final class EquivalenceCheck {

    private static final Logger LOG = LoggerFactory.getLogger(EquivalenceCheck.class);

    private EquivalenceCheck() {
    }

    /** What became of one KPFF cell. */
    public enum Outcome {
        /** Folded and compared. */
        CHECKED,
        /** No checkpoint (run.checkpoint = false, or the checkpoints were removed). */
        NO_CHECKPOINT,
        /** The checkpoint is not of the cell's last epoch (the cell failed). */
        NOT_FINAL,
        /**
         * The checkpoint's network is not the one this build makes of the run's config (an earlier release built it
         * differently, e.g. schema version 1's networks), so W cannot be folded into this build's Concat network.
         */
        OTHER_NETWORK
    }

    /**
     * One KPFF cell's check.
     *
     * @param cellId         the cell
     * @param backbone       its backbone
     * @param fold           its held-out fold
     * @param outcome        whether it was checked
     * @param images         held-out images compared (0 when not checked)
     * @param different      images whose predicted class differs between KPFF and the folded Concat network
     * @param maxDifference  largest absolute difference of a softmax probability; NaN when not checked
     * @param distanceFromI  ‖W − I‖_F of the final W (how far the fold is from a plain copy); NaN when not checked
     */
    public record CellCheck(String cellId, String backbone, int fold, Outcome outcome, long images, long different,
            double maxDifference, double distanceFromI) {
    }

    /**
     * The checks of a run.
     *
     * @param cells    one row per committed KPFF cell of the run's grid
     * @param markdown the {@code equivalence.md} text
     */
    public record Report(List<CellCheck> cells, String markdown) {

        /** Cells folded and compared. */
        public long checked() {
            return cells.stream().filter(c -> c.outcome() == Outcome.CHECKED).count();
        }

        /** Whether every checked cell predicted identically (and at least one was checked). */
        public boolean allIdentical() {
            return checked() > 0 && cells.stream().filter(c -> c.outcome() == Outcome.CHECKED)
                    .allMatch(c -> c.different() == 0);
        }
    }

    /**
     * Checks every committed KPFF cell of a run and writes {@code equivalence.md}.
     *
     * @param outUri  the run folder
     * @param dataUri the dataset, or null for the one in run.json (it must be the same listing: same fingerprint)
     * @param conf    Hadoop configuration for the run folder and the dataset
     * @throws IllegalArgumentException when the folder holds no run, the dataset differs, or there is no KPFF cell
     */
    public static Report run(String outUri, String dataUri, Configuration conf) throws IOException {
        RunLayout layout = new RunLayout(outUri);
        RunInfo info = RunInfo.read(layout.runJson(), conf).orElseThrow(() -> new IllegalArgumentException(
                "No run at " + outUri + ": " + layout.runJson() + " does not exist."));
        int version = info.checkReadable(outUri);
        JobConfig config = JobConfig.parse(info.text("config_hocon"), layout.runJson(), List.of());
        String data = dataUri != null ? dataUri : info.json().path("dataset").path("uri").asText("");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("run.json of " + outUri + " names no dataset: give it with --data.");
        }
        DatasetListing listing = SceneDataset.list(data, conf);
        RunDataset.checkSame(info, listing, conf, "The dataset at " + data + " is not the run's");
        Folds folds = StratifiedKFold.split(listing, config.data().folds(), config.data().foldSeed());
        FileSystem fs = new Path(layout.root()).getFileSystem(conf);
        SerializableHadoopConf sconf = new SerializableHadoopConf(conf);
        List<CellCheck> checks = new ArrayList<>();
        java.util.Set<String> committed = new org.kpff.job.results.CellCommitter(layout, conf).committedCells();
        for (GridCell cell : GridPlanner.plan(config, listing.classCount(), java.util.Set.of())) {
            if (cell.method() != FusionMethod.KPFF || !committed.contains(cell.id())) {
                continue;
            }
            CellSpec spec = cell.toCellSpec(config, listing.classCount());
            CellTask task = new CellTask(cell.id(), spec, listing, folds, cell.fold(),
                    config.data().normalization(), config.data().augment(), config.data().strict(),
                    layout.checkpointDir(cell.id()), sconf);
            checks.add(check(cell, spec, task));
        }
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("The run at " + outUri + " has no committed kpff cell to check.");
        }
        String md = markdown(checks, version);
        Path file = new Path(layout.equivalenceMarkdown());
        try (OutputStream out = fs.create(file, true)) {
            out.write(md.getBytes(StandardCharsets.UTF_8));
        }
        return new Report(List.copyOf(checks), md);
    }

    private static CellCheck check(GridCell cell, CellSpec spec, CellTask task) throws IOException {
        // The network alone: a checkpoint of any format an earlier build wrote (schema version 1's model.zip too).
        Optional<HadoopCheckpoints.SavedModel> restored =
                new HadoopCheckpoints(task.checkpointDir(), task.hadoopConf().get()).latestModel();
        if (restored.isEmpty() || restored.get().epoch() != spec.epochs()) {
            restored.ifPresent(r -> r.model().close());
            Outcome o = restored.isEmpty() ? Outcome.NO_CHECKPOINT : Outcome.NOT_FINAL;
            LOG.warn("Cell {}: not checked ({})", cell.id(), o);
            return new CellCheck(cell.id(), cell.backbone(), cell.fold(), o, 0, 0, Double.NaN, Double.NaN);
        }
        ComputationGraph kpff = restored.get().model();
        ComputationGraph folded;
        try {
            folded = ConcatFolding.toConcat(kpff, spec);
        } catch (IllegalStateException e) {
            kpff.close();
            LOG.warn("Cell {}: not checked ({}: {})", cell.id(), Outcome.OTHER_NETWORK, e.getMessage());
            return new CellCheck(cell.id(), cell.backbone(), cell.fold(), Outcome.OTHER_NETWORK, 0, 0, Double.NaN,
                    Double.NaN);
        }
        try {
            ConcatFolding.Agreement a = ConcatFolding.compare(kpff, folded, CellData.load(task).validation());
            double fromI = WDistances.fromConcat(FusionHead.learnedW(kpff));
            LOG.info("Cell {}: {} of {} held-out predictions differ, max |probability difference| {}, ||W - I|| {}",
                    cell.id(), a.differentPredictions(), a.images(), a.maxProbabilityDifference(), fromI);
            return new CellCheck(cell.id(), cell.backbone(), cell.fold(), Outcome.CHECKED, a.images(),
                    a.differentPredictions(), a.maxProbabilityDifference(), fromI);
        } finally {
            kpff.close();
            folded.close();
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        }
    }

    static String markdown(List<CellCheck> checks) {
        return markdown(checks, SchemaVersion.CURRENT);
    }

    /** The report; {@code version} is the run's output schema version, named where a cell could not be checked. */
    static String markdown(List<CellCheck> checks, int version) {
        StringBuilder sb = new StringBuilder("# KPFF ≡ reparameterised Concat\n\n");
        sb.append("Each KPFF cell's final W folded into its classifier: a Concat network with classifier ")
                .append("V·(W ⊗ I_r), every other parameter unchanged, run beside the KPFF network on the cell's ")
                .append("held-out fold. The two are the same function in inference (dropout is the identity there), ")
                .append("so predictions must be identical and probabilities differ by float rounding only: KPFF's ")
                .append("function class is Concat's, and any gain comes from training dynamics (dropout placement, ")
                .append("weight decay on W, optimiser steps).\n\n");
        sb.append("| Cell | Backbone | Fold | ‖W − I‖ | Images | Different predictions | max abs(Δ probability) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        long checked = 0;
        long different = 0;
        double max = 0;
        for (CellCheck c : checks) {
            sb.append("| ").append(c.cellId()).append(" | ").append(PaperTable1.displayName(c.backbone()))
                    .append(" | ").append(c.fold()).append(" | ");
            if (c.outcome() == Outcome.CHECKED) {
                checked++;
                different += c.different();
                max = Math.max(max, c.maxDifference());
                sb.append(String.format(Locale.ROOT, "%.4f | %d | %d | %.2e |%n", c.distanceFromI(), c.images(),
                        c.different(), c.maxDifference()));
            } else {
                sb.append("— | — | not checked: ").append(switch (c.outcome()) {
                    case NO_CHECKPOINT -> "no checkpoint (run.checkpoint = false, or removed)";
                    case NOT_FINAL -> "the checkpoint is not the final model";
                    default -> "the checkpoint's network (output schema version " + version + ") is not the one "
                            + "this build makes of the run's config; check it with the release that wrote the run";
                }).append(" | — |\n");
            }
        }
        sb.append(String.format(Locale.ROOT, "%n%d of %d KPFF cells checked; %d different predictions; largest "
                + "probability difference %.2e.%n", checked, checks.size(), different, max));
        return sb.toString();
    }
}

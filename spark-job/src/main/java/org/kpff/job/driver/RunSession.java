package org.kpff.job.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.data.ImageProblem;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;
import org.kpff.job.plan.GridCell;
import org.kpff.job.results.RunLayout;

/**
 * An opened run folder for one attempt: its layout and run.json, the dataset listing and folds, the writer, the
 * cells committed before this attempt, and this attempt's entry in run.json.
 *
 * @param layout      the run folder's paths
 * @param info        run.json as it is being written
 * @param listing     the dataset listing
 * @param folds       the run's folds
 * @param writer      writes and commits the result tables
 * @param committed   ids of the cells committed before this attempt
 * @param attempt     this attempt's entry in run.json
 * @param startNanos  {@link System#nanoTime()} when the attempt started
 * @param undecodable images every cell skips (empty in strict mode)
 * @param lease       the output folder's lease this driver holds, checked before every commit; null without one
 */
record RunSession(RunLayout layout, RunInfo info, DatasetListing listing, Folds folds, ResultWriter writer,
        Set<String> committed, ObjectNode attempt, long startNanos, List<ImageProblem> undecodable,
        OutputLease lease) {

    /** The executor's task of a planned cell: its spec, data, fold and checkpoint folder (or none). */
    CellTask task(JobConfig config, PlannedCell planned, SerializableHadoopConf conf) {
        GridCell cell = planned.cell();
        boolean checkpoint = config.run().checkpoint() || planned.alwaysCheckpoint();
        return new CellTask(cell.id(), cell.toCellSpec(config, listing.classCount()), listing, folds, cell.fold(),
                config.data().normalization(), config.data().augment(), config.data().strict(),
                checkpoint ? layout.checkpointDir(planned.checkpointName()) : null, conf,
                cell.role() == org.kpff.job.plan.CellRole.INNER ? cell.outerFold() : null);
    }
}

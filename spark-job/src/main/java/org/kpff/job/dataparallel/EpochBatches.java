package org.kpff.job.dataparallel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.kpff.core.data.ImageBatchIterator;
import org.kpff.core.data.Normalization;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.CellData;

/**
 * Executor side of a data-parallel epoch: turns batch numbers of one epoch into the minibatches a local cell would
 * make there ({@link ImageBatchIterator#seekBatch}), from this JVM's decoded-image cache and the driver's
 * normalisation. Only batch numbers travel to the executors, never pixels.
 */
final class EpochBatches implements FlatMapFunction<Iterator<Integer>, MultiDataSet> {

    private static final long serialVersionUID = 1L;

    private final CellTask task;
    private final Normalization normalization;
    private final int epoch;

    EpochBatches(CellTask task, Normalization normalization, int epoch) {
        this.task = task;
        this.normalization = normalization;
        this.epoch = epoch;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Integer> batchNumbers) {
        TaskContext ctx = TaskContext.get();
        CellRunner.limitThreads(ctx == null ? Runtime.getRuntime().availableProcessors() : ctx.cpus());
        ImageBatchIterator it = CellData.load(task, normalization).training();
        it.setEpoch(epoch);
        List<MultiDataSet> out = new ArrayList<>();
        while (batchNumbers.hasNext()) {
            it.seekBatch(batchNumbers.next());
            DataSet ds = it.next();
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(ds.getFeatures(), ds.getLabels()));
        }
        return out.iterator();
    }
}

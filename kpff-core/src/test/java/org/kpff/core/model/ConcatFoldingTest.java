package org.kpff.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.kpff.core.train.CellOutcome;
import org.kpff.core.train.CellTrainer;
import org.kpff.core.train.Checkpoints;
import org.kpff.core.train.HadoopCheckpoints;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** KPFF ≡ reparameterised Concat: the fold against a naive reference, and on a KPFF cell trained for real. */
class ConcatFoldingTest {

    private static final int SIZE = 16;
    private static final String W = FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W;

    @Test
    void foldedClassifierMatchesTheIndexFormula() {
        int n = 3;
        int r = 4;
        int classes = 5;
        Nd4j.getRandom().setSeed(1);
        INDArray w = Nd4j.randn(DataType.DOUBLE, n, n);
        INDArray v = Nd4j.randn(DataType.DOUBLE, n * r, classes);
        INDArray folded = ConcatFolding.foldedClassifier(w, v);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < r; c++) {
                for (int j = 0; j < classes; j++) {
                    double expected = 0;
                    for (int k = 0; k < n; k++) {
                        expected += w.getDouble(k, i) * v.getDouble(k * r + c, j);
                    }
                    assertEquals(expected, folded.getDouble(i * r + c, j), 1e-12, "V'[" + (i * r + c) + ", " + j + "]");
                }
            }
        }
        // W = I (Concat) leaves V as it is; W = Add (every column e_1) repeats V's first block for every source
        assertEquals(v, ConcatFolding.foldedClassifier(Nd4j.eye(n).castTo(DataType.DOUBLE), v));
        INDArray add = KroneckerFusionVertex.initialW(n, FusionInit.ADD, 0, DataType.DOUBLE);
        INDArray foldedAdd = ConcatFolding.foldedClassifier(add, v);
        for (int i = 0; i < n; i++) {
            assertEquals(v.get(NDArrayIndex.interval(0, r), NDArrayIndex.all()),
                    foldedAdd.get(NDArrayIndex.interval(i * r, (i + 1) * r), NDArrayIndex.all()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConcatFolding.foldedClassifier(w, Nd4j.zeros(DataType.DOUBLE, 10, classes)));
        assertTrue(e.getMessage().contains("expected W [n, n] and V [n*r, classes]"), e.getMessage());
    }

    @Test
    void aTrainedKpffCellAndItsFoldedConcatPredictAlike(@TempDir Path dir) throws Exception {
        // W learns 300x faster than the rest, so that it is far from I and the fold is not a copy; dropout 0.5 is
        // in the head (the identity in inference).
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 2, SIZE, 0.125, 8, FusionInit.IDENTITY, true, 0.5,
                3e-3, 5e-4, 8, 3, 3, 11, 300);
        List<DataSet> train = examples(24, 1);
        List<DataSet> val = examples(20, 2);
        CellTrainer.EpochData data = new CellTrainer.EpochData() {
            @Override
            public DataSetIterator trainingEpoch(int epoch) {
                return new TestDataSetIterator(DataSet.merge(train), 8);
            }

            @Override
            public DataSetIterator validation() {
                return new TestDataSetIterator(DataSet.merge(val), 6);
            }
        };
        Checkpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        CellOutcome out = CellTrainer.train(spec, data, store, null);
        ComputationGraph kpff = store.load().orElseThrow().model();
        INDArray w = kpff.paramTable().get(W);
        double fromI = w.sub(Nd4j.eye(3).castTo(w.dataType())).norm2Number().doubleValue();
        assertTrue(fromI > 0.1, "W moved away from I: ||W - I|| = " + fromI + ", W = " + w);

        ComputationGraph folded = ConcatFolding.toConcat(kpff, spec);
        assertTrue(folded.getVertex(FusionHead.FUSE).getClass().getSimpleName().contains("Merge"),
                "the folded network fuses by Concat");
        assertEquals(kpff.params().length() - 9, folded.params().length(), "W's 9 values are folded away");
        ConcatFolding.Agreement a = ConcatFolding.compare(kpff, folded, data.validation());
        assertEquals(20, a.images());
        assertTrue(a.identicalPredictions(), a.toString());
        assertTrue(a.maxProbabilityDifference() < 1e-5, a.toString());
        // the folded network's accuracy is the cell's final accuracy
        long correct = 0;
        INDArray x = DataSet.merge(val).getFeatures();
        INDArray y = DataSet.merge(val).getLabels();
        long[] p = folded.outputSingle(false, x).argMax(1).toLongVector();
        long[] t = y.argMax(1).toLongVector();
        for (int i = 0; i < p.length; i++) {
            correct += p[i] == t[i] ? 1 : 0;
        }
        assertEquals(out.finalAccuracy(), correct / 20.0, 1e-12);

        // the check can fail: a Concat network that keeps V unfolded computes something else
        ComputationGraph unfolded = ConcatFolding.toConcat(kpff, spec);
        unfolded.paramTable().get(FusionHead.OUTPUT + "_W").assign(kpff.paramTable().get(FusionHead.OUTPUT + "_W"));
        ConcatFolding.Agreement wrong = ConcatFolding.compare(kpff, unfolded, data.validation());
        assertTrue(wrong.maxProbabilityDifference() > 100 * a.maxProbabilityDifference() + 1e-4, wrong.toString());
        kpff.close();
        folded.close();
        unfolded.close();
    }

    /** Two classes told apart by which half of the image is bright, plus noise. */
    private static List<DataSet> examples(int count, long seed) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cls = i % 2;
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, SIZE, SIZE).muli(0.2);
            x.get(NDArrayIndex.all(), NDArrayIndex.all(), cls == 0 ? NDArrayIndex.interval(0, SIZE / 2)
                    : NDArrayIndex.interval(SIZE / 2, SIZE), NDArrayIndex.all()).addi(0.8);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 1, 2);
            y.putScalar(0, cls, 1);
            out.add(new DataSet(x, y));
        }
        return out;
    }
}

package org.kpff.job.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.train.HadoopCheckpoints;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.RunLayout.CellTable;
import org.kpff.job.results.SchemaVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an existing run (also one an earlier release wrote) needs before it is continued or checked: that the dataset
 * is the run's, also when it was moved unchanged to another folder, and what the checkpoints of its unfinished
 * cells can still do.
 */
final class RunDataset {

    private static final Logger LOG = LoggerFactory.getLogger(RunDataset.class);

    private RunDataset() {
    }

    /**
     * Refuses a dataset other than the run's. The same classes, labels and relative paths under another root are
     * the run's dataset moved (the listing fingerprint includes the root): accepted, with a note.
     *
     * @param refusal the first words of the refusal, e.g. "Cannot resume: the dataset changed since the run started"
     */
    static void checkSame(RunInfo info, DatasetListing listing, Configuration conf, String refusal) {
        String recorded = info.json().path("dataset").path("fingerprint").asText("");
        if (recorded.isEmpty() || recorded.equals(listing.fingerprint())) {
            return;
        }
        String recordedUri = info.json().path("dataset").path("uri").asText("");
        if (!recordedUri.isEmpty() && recorded.equals(listing.fingerprintAt(qualified(recordedUri, conf)))) {
            LOG.info("The run's dataset moved from {} to {}: the same classes and images.", recordedUri,
                    listing.rootUri());
            return;
        }
        throw new IllegalArgumentException(refusal + " (listing fingerprint " + listing.fingerprint()
                + " now, run.json has " + recorded + "): its folds would differ.");
    }

    private static String qualified(String uri, Configuration conf) {
        Path p = new Path(uri);
        try {
            return p.getFileSystem(conf).makeQualified(p).toString();
        } catch (IOException | RuntimeException e) {
            return uri; // the recorded FileSystem is gone: compare the URI as written
        }
    }

    /** Logs {@link #oldCheckpoints} (one warning each) before a resume. */
    static void warnOldCheckpoints(RunInfo info, RunLayout layout, Configuration conf) throws IOException {
        oldCheckpoints(info, layout, conf).forEach(LOG::warn);
    }

    /**
     * One sentence per kind of checkpoint of an unfinished cell that an earlier release wrote and that this build
     * cannot resume exactly, naming the run's version, the cells and what to do; empty when there is none.
     */
    static List<String> oldCheckpoints(RunInfo info, RunLayout layout, Configuration conf) throws IOException {
        Path root = new Path(layout.checkpointsDir());
        FileSystem fs = root.getFileSystem(conf);
        List<String> noHistory = new ArrayList<>();
        List<String> noGenerator = new ArrayList<>();
        if (fs.exists(root)) {
            for (FileStatus st : fs.listStatus(root)) {
                String cell = st.getPath().getName();
                if (!st.isDirectory() || fs.exists(new Path(layout.committed(CellTable.CELLS, cell)))) {
                    continue;
                }
                switch (new HadoopCheckpoints(st.getPath().toString(), conf).latestFormat()) {
                    case NO_HISTORY -> noHistory.add(cell);
                    case NO_GENERATOR_STATE -> noGenerator.add(cell);
                    default -> {
                    }
                }
            }
        }
        int version = info.schemaVersion();
        List<String> out = new ArrayList<>();
        if (!noHistory.isEmpty()) {
            out.add("Cells " + String.join(", ", noHistory) + " of this run (output schema version " + version
                    + ") have checkpoints of the first format (history.tsv), which this build cannot resume: they"
                    + " train again from scratch; to keep their epochs, finish them with the release that wrote"
                    + " the run.");
        }
        if (!noGenerator.isEmpty()) {
            out.add("Cells " + String.join(", ", noGenerator) + " of this run (output schema version " + version
                    + ") resume from checkpoints without the training thread's generator state (written before"
                    + " commit 10db2a9): they continue with other dropout masks than an uninterrupted run would"
                    + " draw; delete their checkpoints/<cell id> folders to train them again exactly.");
        }
        return out;
    }
}

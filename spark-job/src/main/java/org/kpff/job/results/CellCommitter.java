package org.kpff.job.results;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.results.RunLayout.CellTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a cell's result tables atomically on any Hadoop FileSystem with an atomic directory rename (HDFS, local):
 * each table is written completely under {@code _staging/<cell>/<attempt>/<table>}, then {@code metrics} and
 * {@code predictions} are renamed to {@code <table>/<cell id>} and {@code cells} last: a cell is committed exactly
 * when {@code cells/<cell id>} exists. A crash before that leaves at most orphans in the other tables, which
 * {@link #cleanOrphans()} removes before a resumed run (and a retried commit replaces), so no cell is ever visible
 * twice or half. Object stores without atomic rename (S3) need a committing FileSystem such as S3A's magic committer.
 */
public final class CellCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(CellCommitter.class);

    /** Writes one table's rows completely into a folder that does not exist yet. */
    @FunctionalInterface
    public interface TableWriter {
        void write(String folderUri) throws IOException;
    }

    private final RunLayout layout;
    private final Configuration conf;

    public CellCommitter(RunLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    /**
     * Stages and commits the tables of one cell.
     *
     * @param cellId the cell
     * @param tables a writer for each of the three tables
     * @throws IllegalStateException when the cell is already committed
     */
    public void commit(String cellId, Map<CellTable, TableWriter> tables) throws IOException {
        for (CellTable t : CellTable.values()) {
            if (!tables.containsKey(t)) {
                throw new IllegalArgumentException("A commit must write table '" + t.folder() + "'.");
            }
        }
        FileSystem fs = new Path(layout.root()).getFileSystem(conf);
        String attempt = UUID.randomUUID().toString();
        Path attemptDir = new Path(layout.staging(CellTable.CELLS, cellId, attempt)).getParent();
        try {
            for (CellTable t : CellTable.values()) {
                tables.get(t).write(layout.staging(t, cellId, attempt));
            }
            FaultInjection.current().beforeRename(cellId);
            if (fs.exists(new Path(layout.committed(CellTable.CELLS, cellId)))) {
                throw new IllegalStateException("Cell " + cellId + " is already committed; refusing to commit it twice.");
            }
            moveInto(layout.staging(CellTable.METRICS, cellId, attempt), layout.committed(CellTable.METRICS, cellId));
            moveInto(layout.staging(CellTable.PREDICTIONS, cellId, attempt),
                    layout.committed(CellTable.PREDICTIONS, cellId));
            moveInto(layout.staging(CellTable.CELLS, cellId, attempt), layout.committed(CellTable.CELLS, cellId));
        } finally {
            // The cell's whole staging folder: only one commit of a cell runs at a time, and what an earlier
            // failed attempt staged is garbage too.
            fs.delete(attemptDir.getParent(), true);
        }
    }

    /** Moves a staged table into place, replacing an orphan a failed commit left there. */
    private void moveInto(String fromUri, String toUri) throws IOException {
        AtomicReplace.replace(new Path(fromUri), new Path(toUri), conf);
    }

    /** Whether {@code cells/<cellId>} exists, i.e. the cell is committed. */
    public boolean isCommitted(String cellId) throws IOException {
        Path cells = new Path(layout.committed(CellTable.CELLS, cellId));
        return cells.getFileSystem(conf).exists(cells);
    }

    /** The ids of the committed cells. */
    public Set<String> committedCells() throws IOException {
        return cellIds(layout.cellsDir());
    }

    private Set<String> cellIds(String tableDir) throws IOException {
        Path dir = new Path(tableDir);
        FileSystem fs = dir.getFileSystem(conf);
        Set<String> ids = new HashSet<>();
        if (!fs.exists(dir)) {
            return ids;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) {
                ids.add(name);
            }
        }
        return ids;
    }

    /**
     * Removes what a crashed commit left: the staging folder, and metrics/predictions folders of cells that never
     * committed.
     *
     * @return how many orphan folders were removed
     */
    public int cleanOrphans() throws IOException {
        FileSystem fs = new Path(layout.root()).getFileSystem(conf);
        fs.delete(new Path(layout.stagingDir()), true);
        Set<String> committed = committedCells();
        int removed = 0;
        for (CellTable t : new CellTable[] {CellTable.METRICS, CellTable.PREDICTIONS}) {
            String dir = t == CellTable.METRICS ? layout.metricsDir() : layout.predictionsDir();
            for (String id : cellIds(dir)) {
                if (!committed.contains(id)) {
                    fs.delete(new Path(layout.committed(t, id)), true);
                    removed++;
                }
            }
        }
        if (removed > 0) {
            LOG.warn("Removed {} result folders of cells that never committed (a crash between writes)", removed);
        }
        return removed;
    }
}

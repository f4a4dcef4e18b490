package org.kpff.job.results;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.core.fs.StoreSemantics;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.results.RunLayout.CellTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a cell's result tables so that a reader sees the whole cell or nothing, in one of two ways chosen by the
 * run folder's store ({@link StoreSemantics}):
 *
 * <ul>
 *   <li><b>Rename</b> (HDFS, local: atomic rename): each table is written completely under
 *       {@code _staging/<cell>/<attempt>/<table>}, then {@code metrics} and {@code predictions} are renamed to
 *       {@code <table>/<cell id>} and {@code cells} last: a cell is committed exactly when {@code cells/<cell id>}
 *       exists.</li>
 *   <li><b>Direct</b> (S3A, GCS: rename is a copy per object, neither atomic nor exclusive): each table is written
 *       straight to {@code <table>/<cell id>} ({@code metrics}, {@code predictions}, then {@code cells} last), each
 *       table one Parquet object that appears whole when its write commits (S3A's magic committer completes an
 *       upload, {@link CommitProtocols}). The commit marker is the cell's {@code cells} Parquet object: a cell is
 *       committed exactly when {@code cells/<cell id>/} holds a {@code .parquet} object at its top level, so a
 *       reader of {@code cells/*}{@code /*.parquet} sees committed cells only.</li>
 * </ul>
 *
 * <p>A crash before the marker leaves at most orphans in {@code metrics/} and {@code predictions/} (and, direct,
 * a {@code cells/<id>/} folder without a Parquet object), which {@link #cleanOrphans()} removes before a resumed run
 * and a retried commit replaces, so no cell is ever visible twice or half through {@code cells}; until then a reader
 * of {@code metrics} or {@code predictions} keeps only the cells {@code cells} lists.
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
    /** Whether the run folder's store lacks an atomic rename: write final names, marker last. */
    private final boolean direct;

    public CellCommitter(RunLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
        try {
            this.direct = !StoreSemantics.atomicRename(layout.root(), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reach the run folder " + layout.root(), e);
        }
    }

    /** Whether cells commit by writing their final names with the {@code cells} object last (no rename). */
    public boolean direct() {
        return direct;
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
        if (direct) {
            commitDirect(fs, cellId, tables);
            return;
        }
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

    /** The direct commit: final names, {@code metrics} and {@code predictions} first, {@code cells} (marker) last. */
    private void commitDirect(FileSystem fs, String cellId, Map<CellTable, TableWriter> tables) throws IOException {
        if (isCommitted(cellId)) {
            throw new IllegalStateException("Cell " + cellId + " is already committed; refusing to commit it twice.");
        }
        // What a failed attempt of this (uncommitted) cell left, whole tables or parts, goes first.
        for (CellTable t : CellTable.values()) {
            fs.delete(new Path(layout.committed(t, cellId)), true);
        }
        tables.get(CellTable.METRICS).write(layout.committed(CellTable.METRICS, cellId));
        tables.get(CellTable.PREDICTIONS).write(layout.committed(CellTable.PREDICTIONS, cellId));
        FaultInjection.current().beforeRename(cellId);
        tables.get(CellTable.CELLS).write(layout.committed(CellTable.CELLS, cellId));
    }

    /** Moves a staged table into place, replacing an orphan a failed commit left there. */
    private void moveInto(String fromUri, String toUri) throws IOException {
        AtomicReplace.replace(new Path(fromUri), new Path(toUri), conf);
    }

    /** Whether {@code cells/<cellId>} exists, i.e. the cell is committed. */
    public boolean isCommitted(String cellId) throws IOException {
        Path cells = new Path(layout.committed(CellTable.CELLS, cellId));
        FileSystem fs = cells.getFileSystem(conf);
        if (!direct) {
            return fs.exists(cells);
        }
        try {
            for (FileStatus st : fs.listStatus(cells)) {
                if (st.isFile() && isTableFile(st.getPath().getName())) {
                    return true;
                }
            }
            return false;
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** The ids of the committed cells (direct: one recursive listing of {@code cells/}, marker objects only). */
    public Set<String> committedCells() throws IOException {
        if (!direct) {
            return cellIds(layout.cellsDir());
        }
        Path dir = new Path(layout.cellsDir());
        FileSystem fs = dir.getFileSystem(conf);
        Set<String> ids = new HashSet<>();
        if (!fs.exists(dir)) {
            return ids;
        }
        String prefix = fs.makeQualified(dir).toUri().getPath() + "/";
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            String rel = files.next().getPath().toUri().getPath();
            if (!rel.startsWith(prefix)) {
                continue;
            }
            String[] parts = rel.substring(prefix.length()).split("/");
            if (parts.length == 2 && !parts[0].startsWith("_") && !parts[0].startsWith(".")
                    && isTableFile(parts[1])) {
                ids.add(parts[0]);
            }
        }
        return ids;
    }

    /** A Parquet data file of a table folder (not {@code _SUCCESS}, not a hidden or temporary file). */
    private static boolean isTableFile(String name) {
        return name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".");
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
        CellTable[] tables = direct ? CellTable.values() : new CellTable[] {CellTable.METRICS, CellTable.PREDICTIONS};
        for (CellTable t : tables) {
            String dir = t == CellTable.METRICS ? layout.metricsDir()
                    : t == CellTable.PREDICTIONS ? layout.predictionsDir() : layout.cellsDir();
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

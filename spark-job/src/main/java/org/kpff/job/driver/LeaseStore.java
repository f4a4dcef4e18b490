package org.kpff.job.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.Seeds;
import org.kpff.core.fs.StoreSemantics;
import org.kpff.job.driver.OutputLease.Owner;
import org.kpff.job.results.RunLayout;

/** The lease folder's operations on one kind of FileSystem ({@link OutputLease}'s owner files). */
interface LeaseStore {

    List<Long> generations() throws IOException;

    Optional<Owner> read(long generation) throws IOException;

    /** Publishes a complete owner file for a generation; false when that generation already exists. */
    boolean publish(long generation, byte[] content) throws IOException;

    void touch(long generation, Instant when) throws IOException;

    void delete(long generation) throws IOException;

    /** Removes the lease folder when empty, and the run folder too when {@code root} is set and it is empty. */
    void removeIfEmpty(boolean root) throws IOException;

    String describe();

    /**
     * The folder of an output's owner files: {@link RunLayout#leaseDir()} on a store with atomic exclusive rename;
     * with a lease URI, {@code <lease uri>/out-<16 hex of SHA-256 of the output URI>}; otherwise refused.
     */
    static Path dirFor(String outUri, String leaseUri, Configuration conf) throws IOException {
        if (leaseUri == null || leaseUri.isBlank()) {
            if (!StoreSemantics.atomicRename(outUri, conf)) {
                throw new IllegalArgumentException("Output " + outUri + " is on " + new Path(outUri).getFileSystem(
                        conf).getScheme() + "://, whose rename is neither atomic nor exclusive, so the output folder "
                        + "cannot hold the single-writer lease that keeps two drivers from committing into one run. "
                        + "Set " + OutputLease.LEASE_URI_CONF + " to a folder on HDFS or a local/NFS path that every "
                        + "driver of this output shares (e.g. --conf " + OutputLease.LEASE_URI_CONF + "=hdfs:///kpff/"
                        + "leases, or "
                        + "file:///tmp/kpff-leases when all drivers run on this host).");
            }
            return new Path(new RunLayout(outUri).leaseDir());
        }
        if (!StoreSemantics.atomicRename(leaseUri, conf)) {
            throw new IllegalArgumentException(OutputLease.LEASE_URI_CONF + " = " + leaseUri + ": its store's rename "
                    + "is neither atomic nor exclusive, so it cannot hold a lease; use an HDFS or local/NFS folder.");
        }
        String key = new RunLayout(outUri).root();
        byte[] h = Seeds.sha256(key);
        return new Path(new RunLayout(leaseUri).root(), "out-" + HexFormat.of().formatHex(h, 0, 8));
    }

    /** The store of the owner files in {@code dir}: java.nio on a local disk (hard links), the FileSystem elsewhere. */
    static LeaseStore open(Path dir, Configuration conf) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? new Local(local, dir) : new Hadoop(fs, dir);
    }

    static List<Long> sorted(List<String> names) {
        List<Long> out = new ArrayList<>();
        for (String n : names) {
            long g = OutputLease.generationOf(n);
            if (g > 0) {
                out.add(g);
            }
        }
        out.sort(null);
        return out;
    }

    /** file:// through java.nio: publish is a hard link, which fails when the name exists. */
    final class Local implements LeaseStore {
        private final java.nio.file.Path dir;

        Local(LocalFileSystem fs, Path dir) {
            this.dir = fs.pathToFile(dir).toPath();
        }

        @Override
        public List<Long> generations() throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (var s = Files.list(dir)) {
                return LeaseStore.sorted(s.map(p -> p.getFileName().toString()).toList());
            }
        }

        @Override
        public Optional<Owner> read(long generation) throws IOException {
            java.nio.file.Path p = dir.resolve(OutputLease.name(generation));
            try {
                Instant beat = Files.getLastModifiedTime(p).toInstant();
                return OutputLease.parse(Files.readAllBytes(p)).map(h -> new Owner(h, beat));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean publish(long generation, byte[] content) throws IOException {
            Files.createDirectories(dir);
            java.nio.file.Path tmp = Files.createTempFile(dir, "_", ".tmp");
            try {
                Files.write(tmp, content);
                Files.createLink(dir.resolve(OutputLease.name(generation)), tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        @Override
        public void touch(long generation, Instant when) throws IOException {
            Files.setLastModifiedTime(dir.resolve(OutputLease.name(generation)), FileTime.from(when));
        }

        @Override
        public void delete(long generation) throws IOException {
            Files.deleteIfExists(dir.resolve(OutputLease.name(generation)));
        }

        @Override
        public void removeIfEmpty(boolean root) throws IOException {
            if (deleteEmpty(dir) && root) {
                deleteEmpty(dir.getParent());
            }
        }

        private static boolean deleteEmpty(java.nio.file.Path p) {
            try {
                return Files.deleteIfExists(p);
            } catch (IOException e) {
                return false; // not empty: another driver's file, or the run's own
            }
        }

        @Override
        public String describe() {
            return dir.toUri().toString();
        }
    }

    /** Any other Hadoop FileSystem (HDFS): publish is a rename, which on HDFS fails when the target exists. */
    final class Hadoop implements LeaseStore {
        private final FileSystem fs;
        private final Path dir;

        Hadoop(FileSystem fs, Path dir) {
            this.fs = fs;
            this.dir = dir;
        }

        @Override
        public List<Long> generations() throws IOException {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (FileStatus st : fs.listStatus(dir)) {
                names.add(st.getPath().getName());
            }
            return LeaseStore.sorted(names);
        }

        @Override
        public Optional<Owner> read(long generation) throws IOException {
            Path p = new Path(dir, OutputLease.name(generation));
            try {
                Instant beat = Instant.ofEpochMilli(fs.getFileStatus(p).getModificationTime());
                try (InputStream in = fs.open(p)) {
                    return OutputLease.parse(in.readAllBytes()).map(h -> new Owner(h, beat));
                }
            } catch (java.io.FileNotFoundException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean publish(long generation, byte[] content) throws IOException {
            fs.mkdirs(dir);
            Path tmp = new Path(dir, "_" + UUID.randomUUID() + ".tmp");
            try {
                try (OutputStream out = fs.create(tmp, false)) {
                    out.write(content);
                }
                return fs.rename(tmp, new Path(dir, OutputLease.name(generation)));
            } finally {
                fs.delete(tmp, false);
            }
        }

        @Override
        public void touch(long generation, Instant when) throws IOException {
            fs.setTimes(new Path(dir, OutputLease.name(generation)), when.toEpochMilli(), -1);
        }

        @Override
        public void delete(long generation) throws IOException {
            fs.delete(new Path(dir, OutputLease.name(generation)), false);
        }

        @Override
        public void removeIfEmpty(boolean root) throws IOException {
            if (deleteEmpty(dir) && root) {
                deleteEmpty(dir.getParent());
            }
        }

        private boolean deleteEmpty(Path p) {
            try {
                return fs.exists(p) && fs.listStatus(p).length == 0 && fs.delete(p, false);
            } catch (IOException e) {
                return false; // not empty, or already gone
            }
        }

        @Override
        public String describe() {
            return dir.toString();
        }
    }
}

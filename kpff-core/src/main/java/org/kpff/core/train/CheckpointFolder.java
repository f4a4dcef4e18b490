package org.kpff.core.train;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.core.fs.LocalFiles;

/** A checkpoint folder's few operations, on a Hadoop FileSystem or, for file://, through java.nio. */
interface CheckpointFolder {

    /** The folder {@code dir}: through {@link LocalFiles} on file://, else through its Hadoop FileSystem. */
    static CheckpointFolder of(FileSystem fs, Path dir, Configuration conf) {
        return LocalFiles.of(fs, dir).<CheckpointFolder>map(LocalFolder::new)
                .orElseGet(() -> new HadoopFolder(fs, dir, conf));
    }

    /** Deletes {@code name} if it exists and creates it, with the checkpoint folder, as an empty folder. */
    void recreate(String name) throws IOException;

    /** A new file (replacing one of that name) at a relative path. */
    OutputStream create(String relative) throws IOException;

    /** {@link AtomicReplace}: {@code from} onto {@code to}. */
    void replace(String from, String to) throws IOException;

    /** Names in the checkpoint folder. */
    List<String> list() throws IOException;

    /** Deletes a file or folder of the checkpoint folder. */
    void delete(String name) throws IOException;

    /** On a Hadoop FileSystem, replacing through {@link AtomicReplace}. */
    record HadoopFolder(FileSystem fs, Path dir, Configuration conf) implements CheckpointFolder {

        @Override
        public void recreate(String name) throws IOException {
            fs.mkdirs(dir);
            Path p = new Path(dir, name);
            fs.delete(p, true);
            fs.mkdirs(p);
        }

        @Override
        public OutputStream create(String relative) throws IOException {
            return fs.create(new Path(dir, relative), true);
        }

        @Override
        public void replace(String from, String to) throws IOException {
            AtomicReplace.replace(new Path(dir, from), new Path(dir, to), conf);
        }

        @Override
        public List<String> list() throws IOException {
            List<String> names = new ArrayList<>();
            for (FileStatus st : fs.listStatus(dir)) {
                names.add(st.getPath().getName());
            }
            return names;
        }

        @Override
        public void delete(String name) throws IOException {
            fs.delete(new Path(dir, name), true);
        }
    }

    /** {@link LocalFiles}: the same files without the processes Hadoop's local file system starts per operation. */
    record LocalFolder(java.nio.file.Path dir) implements CheckpointFolder {

        @Override
        public void recreate(String name) throws IOException {
            java.nio.file.Path p = dir.resolve(name);
            LocalFiles.deleteRecursively(p);
            Files.createDirectories(p);
        }

        @Override
        public OutputStream create(String relative) throws IOException {
            java.nio.file.Path p = dir.resolve(relative);
            Files.deleteIfExists(LocalFiles.checksumOf(p));
            return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
        }

        @Override
        public void replace(String from, String to) throws IOException {
            LocalFiles.replace(dir.resolve(from), dir.resolve(to));
        }

        @Override
        public List<String> list() throws IOException {
            try (Stream<java.nio.file.Path> s = Files.list(dir)) {
                return s.map(p -> p.getFileName().toString()).toList();
            }
        }

        @Override
        public void delete(String name) throws IOException {
            LocalFiles.deleteRecursively(dir.resolve(name));
        }
    }
}

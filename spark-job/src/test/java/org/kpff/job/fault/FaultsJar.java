package org.kpff.job.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs the tests' fault classes ({@link FaultPlugin}, {@link ScriptedFaults} and their nested classes) into a jar,
 * for a {@code spark-submit --jars} of a test that runs the application jar, which does not hold test classes.
 */
public final class FaultsJar {

    private FaultsJar() {
    }

    /** Writes the jar to {@code jar} and returns it. */
    public static Path write(Path jar) throws IOException {
        Path classes;
        try {
            classes = Path.of(FaultPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("Cannot locate the test classes of " + FaultPlugin.class.getName(), e);
        }
        Path dir = classes.resolve("org/kpff/job/fault");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".class") && (n.startsWith("FaultPlugin") || n.startsWith("ScriptedFaults"));
            }).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry("org/kpff/job/fault/" + f.getFileName()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return jar;
    }
}

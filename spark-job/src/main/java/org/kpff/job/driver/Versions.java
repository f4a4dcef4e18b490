package org.kpff.job.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The versions of what a run used, for run.json, read from the classpath (Maven's {@code pom.properties} of each
 * library and this project's filtered {@code kpff.properties}) instead of written into the code.
 */
final class Versions {

    /** Written where a jar carries no version (e.g. a repackaged one). */
    static final String UNKNOWN = "unknown";

    private Versions() {
    }

    /**
     * The versions in this JVM: kpff, java, spark, deeplearning4j, nd4j and the ND4J backend in use.
     *
     * @param sparkVersion the running Spark's version
     */
    static Map<String, String> current(String sparkVersion) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("kpff", property("/kpff.properties", "version"));
        v.put("java", System.getProperty("java.version"));
        v.put("spark", sparkVersion);
        v.put("deeplearning4j", maven("org.deeplearning4j", "deeplearning4j-nn"));
        v.put("nd4j", maven("org.nd4j", "nd4j-api"));
        v.put("nd4j_backend", Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", UNKNOWN));
        return v;
    }

    /** The version in a library's {@code META-INF/maven/<group>/<artifact>/pom.properties}, or {@link #UNKNOWN}. */
    static String maven(String groupId, String artifactId) {
        return property("/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties", "version");
    }

    private static String property(String resource, String key) {
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            String value = p.getProperty(key, UNKNOWN).trim();
            return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the classpath", e);
        }
    }
}

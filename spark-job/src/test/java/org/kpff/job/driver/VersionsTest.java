package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** run.json's versions come from the classpath, not from constants in the code. */
class VersionsTest {

    @Test
    void librariesAndTheProjectReportTheVersionsOnTheClasspath() {
        assertEquals("1.0.0-M2.1", Versions.maven("org.deeplearning4j", "deeplearning4j-nn"));
        assertEquals(Versions.UNKNOWN, Versions.maven("org.example", "no-such-artifact"));
        Map<String, String> v = Versions.current("3.5.9");
        assertEquals(List.of("kpff", "java", "spark", "deeplearning4j", "nd4j", "nd4j_backend"), List.copyOf(v.keySet()));
        assertEquals("3.5.9", v.get("spark"));
        assertEquals("1.0.0-M2.1", v.get("nd4j"));
        assertEquals(System.getProperty("java.version"), v.get("java"));
        // The filtered kpff.properties: the pom's version, never the unfilled ${project.version}.
        assertTrue(v.get("kpff").matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), v.get("kpff"));
    }
}

package org.kpff.job.exec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GPU binding from a faked Spark task resource map, and the supported-GPU check. */
class GpuBindingTest {

    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void picksTheAssignedDevice() {
        assertEquals(Optional.of(3), GpuBinding.assignedGpu(gpus("3")));
        assertEquals(Optional.of(0), GpuBinding.assignedGpu(gpus(" 0 ")));
    }

    @Test
    void noGpuResourceMeansCpu() {
        assertEquals(Optional.empty(), GpuBinding.assignedGpu(Map.of()));
        assertEquals(Optional.empty(), GpuBinding.assignedGpu(null));
        assertEquals(Optional.empty(), GpuBinding.assignedGpu(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))));
    }

    @Test
    void moreThanOneGpuPerTaskIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBinding.assignedGpu(gpus("0", "1")));
        assertTrue(e.getMessage().contains("spark.task.resource.gpu.amount=1") && e.getMessage().contains("0, 1"),
                e.getMessage());
    }

    @Test
    void nonNumericAddressIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBinding.assignedGpu(gpus("GPU-a1b2")));
        assertTrue(e.getMessage().contains("'GPU-a1b2'"), e.getMessage());
    }

    @Test
    void onTheCpuBackendOutsideATaskTheBindingIsCpu() {
        assertEquals("cpu", GpuBinding.bindCurrentTask());
    }

    @ParameterizedTest(name = "{0} {1}.{2} supported={3}")
    @CsvSource({
        "Tesla K80, 3, 7, true", "Tesla K40, 3, 5, false", "Tesla M60, 5, 2, true", "Tesla P100, 6, 0, true",
        "Tesla V100, 7, 0, true", "Tesla T4, 7, 5, true", "A100, 8, 0, true", "A10, 8, 6, true", "L4, 8, 9, true",
        "H100, 9, 0, false", "H200, 9, 0, false", "B200, 10, 0, false"})
    void computeCapabilityCheck(String name, int major, int minor, boolean supported) {
        if (supported) {
            assertDoesNotThrow(() -> GpuBinding.checkComputeCapability(major, minor, name));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GpuBinding.checkComputeCapability(major, minor, name));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains(major + "." + minor)
                    && e.getMessage().contains("3.7 and 5.0-8.9"), e.getMessage());
        }
    }

    @Test
    void readsTheCapabilityFromNd4jEnvironmentInformation() {
        Properties env = new Properties();
        env.put("cuda.devicesInformation", List.of(
                Map.of("cuda.deviceMajor", 8, "cuda.deviceMinor", 0, "cuda.deviceName", "A100-SXM4-40GB"),
                Map.of("cuda.deviceMajor", 9, "cuda.deviceMinor", 0, "cuda.deviceName", "NVIDIA H100 80GB HBM3")));
        assertEquals("A100-SXM4-40GB", GpuBinding.checkSupported(env, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBinding.checkSupported(env, 1));
        assertTrue(e.getMessage().contains("H100"), e.getMessage());
    }
}

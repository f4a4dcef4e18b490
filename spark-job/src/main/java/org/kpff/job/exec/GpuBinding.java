package org.kpff.job.exec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the task's thread to the GPU Spark assigned it ({@code spark.task.resource.gpu.amount=1}) and checks that
 * the ND4J CUDA build has code for that GPU.
 *
 * <p>Supported GPUs: the ND4J 1.0.0-M2.1 CUDA 11.6 native library carries machine code for sm_37 … sm_86 and no
 * PTX, so it runs on compute capability 3.7 and 5.0 – 8.9 (Kepler K80, Maxwell, Pascal, Volta, Turing, Ampere,
 * Ada: a cubin runs on later minor versions of its major). Hopper (H100/H200, 9.0) and newer have no code and are
 * refused with a clear message. Spark's GPU address is the {@code nvidia-smi} index, so executors should run with
 * {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} (the submit scripts set it) for the CUDA device number to match.
 */
public final class GpuBinding {

    private static final Logger LOG = LoggerFactory.getLogger(GpuBinding.class);

    /** Spark's resource name for GPUs. */
    public static final String GPU = "gpu";

    private GpuBinding() {
    }

    /**
     * The GPU address assigned to a task, from its resource map.
     *
     * @return the CUDA device number, or empty when the task has no GPU
     * @throws IllegalStateException when the task holds more than one GPU or an address that is not a number
     */
    public static Optional<Integer> assignedGpu(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources == null ? null : resources.get(GPU);
        if (gpu == null || gpu.addresses().length == 0) {
            return Optional.empty();
        }
        if (gpu.addresses().length > 1) {
            throw new IllegalStateException("A cell trains on exactly one GPU, but the task was given "
                    + gpu.addresses().length + " (" + String.join(", ", gpu.addresses())
                    + "); set spark.task.resource.gpu.amount=1.");
        }
        String address = gpu.addresses()[0].trim();
        try {
            return Optional.of(Integer.parseInt(address));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("GPU address '" + address + "' from Spark is not a device number; the "
                    + "discovery script must print nvidia-smi indices such as {\"name\":\"gpu\",\"addresses\":[\"0\"]}.");
        }
    }

    /**
     * Where a task computes.
     *
     * @param address the GPU address Spark assigned the task, or null when it got none
     * @param device  what ND4J computes on: {@code cpu}, or {@code cuda:<n>} (with the device name when known);
     *                {@code cpu} with an address means the CPU build left Spark's GPU unused
     */
    public record Placement(String address, String device) {

        /** Whether Spark assigned a GPU that this build does not use (the CPU jar on a GPU cluster). */
        public boolean gpuUnused() {
            return address != null && device.equals("cpu");
        }
    }

    /**
     * Binds the current thread to the task's GPU when the CUDA backend is active. On the CPU backend a GPU that
     * Spark assigned is left unused: a warning says so, and the cell records it ({@link Placement#gpuUnused()}).
     */
    public static Placement bind() {
        TaskContext ctx = TaskContext.get();
        Optional<Integer> gpu = ctx == null ? Optional.empty()
                : assignedGpu(ctx.resourcesJMap());
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        boolean cuda = "CUDA".equalsIgnoreCase(env.getProperty("backend", ""));
        if (gpu.isEmpty()) {
            return new Placement(null, cuda ? "cuda:" + Nd4j.getAffinityManager().getDeviceForCurrentThread() : "cpu");
        }
        String address = Integer.toString(gpu.get());
        if (!cuda) {
            LOG.warn("Spark assigned GPU {} but ND4J runs the CPU backend ({}): the cell trains on the CPU and the "
                    + "GPU stays idle; its cells row records gpu = {} with device = cpu. Build the job with -Pcuda to "
                    + "use the GPU.", address, env.getProperty("backend", "?"), address);
            return new Placement(address, "cpu");
        }
        Nd4j.getAffinityManager().unsafeSetDevice(gpu.get());
        String name = checkSupported(env, gpu.get());
        return new Placement(address, "cuda:" + gpu.get() + (name.isEmpty() ? "" : " (" + name + ")"));
    }

    /**
     * Binds the current thread to the task's GPU when the CUDA backend is active.
     *
     * @return a description for the results: {@code cpu}, or {@code cuda:<n>} (with the device name when known)
     */
    public static String bindCurrentTask() {
        return bind().device();
    }

    /**
     * Describes the device ND4J computes on in the current thread, without binding anything: {@code cpu}, or
     * {@code cuda:<n>}. Data-parallel workers report this (dl4j-spark builds their network before our code runs).
     */
    public static String describeCurrentThread() {
        boolean cuda = "CUDA".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation()
                .getProperty("backend", ""));
        return cuda ? "cuda:" + Nd4j.getAffinityManager().getDeviceForCurrentThread() : "cpu";
    }

    /** Reads the device's compute capability from ND4J's environment information and checks it; returns its name. */
    @SuppressWarnings("unchecked")
    static String checkSupported(Properties env, int device) {
        Object infos = env.get("cuda.devicesInformation");
        if (!(infos instanceof List) || ((List<?>) infos).size() <= device) {
            return "";
        }
        Map<String, Object> info = (Map<String, Object>) ((List<?>) infos).get(device);
        Object major = info.get("cuda.deviceMajor");
        Object minor = info.get("cuda.deviceMinor");
        String name = String.valueOf(info.getOrDefault("cuda.deviceName", ""));
        if (major instanceof Number && minor instanceof Number) {
            checkComputeCapability(((Number) major).intValue(), ((Number) minor).intValue(), name);
        }
        return name;
    }

    /**
     * Refuses GPUs the ND4J CUDA 11.6 build has no machine code for.
     *
     * @throws IllegalStateException naming the GPU, its compute capability and the supported range
     */
    public static void checkComputeCapability(int major, int minor, String deviceName) {
        boolean supported = (major == 3 && minor >= 7) || (major >= 5 && major <= 8);
        if (!supported) {
            throw new IllegalStateException("GPU '" + deviceName + "' has compute capability " + major + "." + minor
                    + ", but the ND4J 1.0.0-M2.1 CUDA 11.6 build only has code for 3.7 and 5.0-8.9 (sm_37 ... sm_86, "
                    + "no PTX): Hopper (H100/H200) and newer GPUs are not supported. Run on Kepler K80 to Ada GPUs, "
                    + "or use the CPU build.");
        }
    }
}

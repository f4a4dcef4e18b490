package org.kpff.core.engine;

import org.bytedeco.javacpp.BytePointer;

/**
 * Native scratch memory for the copies of arrays in oneDNN's own layouts, shared by every helper on one thread.
 *
 * <p>A helper call reorders its inputs into oneDNN's layout, runs the primitive and reorders its outputs back, all
 * within the call, so those copies need not outlive it. Cached per shape and layer, they would hold several
 * activation-sized buffers per layer for the life of the network; here the layers of a thread take turns in one
 * buffer, as large as the largest single call needs. One buffer per thread, because cells (and data-parallel
 * workers in local mode) train side by side on threads of one JVM.
 */
final class OneDnnScratch {

    /** oneDNN's preferred alignment for its buffers. */
    static final long ALIGN = 64;

    private static final ThreadLocal<OneDnnScratch> MINE = ThreadLocal.withInitial(OneDnnScratch::new);

    private BytePointer buffer;
    private long capacity;

    private OneDnnScratch() {
    }

    /** The size {@code bytes} takes in the buffer, rounded up to the alignment. */
    static long aligned(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * The address of at least {@code bytes} bytes of this thread's scratch buffer, 64-byte aligned, valid until the
     * next call on this thread (which may move it).
     */
    static long reserve(long bytes) {
        return MINE.get().grow(bytes);
    }

    private long grow(long bytes) {
        if (bytes > capacity) {
            if (buffer != null) {
                buffer.close();
            }
            buffer = new BytePointer(bytes + ALIGN);
            capacity = bytes;
        }
        return aligned(buffer.address());
    }
}

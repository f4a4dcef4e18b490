package org.kpff.core.engine;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.pointers.PagedPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One ND4J array as a oneDNN memory, with the reorder to or from the layout a primitive wants, made once per shape.
 *
 * <p>The "user" memory describes the ND4J array as it is (its shape and element strides, so permuted or strided
 * views need no copy); the "inner" memory is the primitive's own layout (often blocked, e.g. {@code nChw16c}). When
 * the two layouts are the same, the primitive reads and writes the ND4J buffer directly and no reorder runs. Each
 * call only points the user memory at that call's buffer ({@link #point}), and the inner memory, which lives only
 * during the call, into the thread's scratch buffer ({@link #placeAll}, {@link OneDnnScratch}).
 */
final class OneDnnArray {

    private final memory user;
    private final memory inner;
    private final reorder toInner;
    private final reorder fromInner;
    /** The inner memory's size in bytes, asked of oneDNN once (each get_desc() is a native allocation). */
    private final long innerBytes;
    /** The address the user memory points at: a call with the same buffer (workspaces reuse theirs) skips the JNI. */
    private long userAddress;
    /** The scratch address the inner copy was last placed at (0: not yet), likewise. */
    private long innerAddress;

    private OneDnnArray(memory user, memory inner, boolean input) {
        this.user = user;
        this.inner = inner;
        boolean same = inner == user || user == null;
        this.toInner = same || !input ? null : new reorder(user, inner);
        this.fromInner = same || input ? null : new reorder(inner, user);
        this.innerBytes = inner.get_desc().get_size();
        this.userAddress = user == null ? 0 : user.get_data_handle().address();
    }

    /**
     * A buffer the primitives of one call share and nothing outside reads (e.g. a pooling forward's result and its
     * workspace, made again in the backward pass): it lives in the scratch buffer ({@link #placeAll}) only.
     */
    static OneDnnArray temporary(engine cpu, memory.desc d) {
        return new OneDnnArray(null, scratch(cpu, d), true);
    }

    /** An array the primitive reads: reordered into {@code wanted} before it runs, when the layouts differ. */
    static OneDnnArray input(engine cpu, INDArray a, memory.desc wanted) {
        memory u = new memory(describe(a), cpu, address(a));
        return new OneDnnArray(u, u.get_desc().equals(wanted) ? u : scratch(cpu, wanted), true);
    }

    /** An array the primitive writes: reordered from {@code produced} after it runs, when the layouts differ. */
    static OneDnnArray output(engine cpu, INDArray a, memory.desc produced) {
        memory u = new memory(describe(a), cpu, address(a));
        return new OneDnnArray(u, u.get_desc().equals(produced) ? u : scratch(cpu, produced), false);
    }

    /** A memory in oneDNN's layout without a buffer of its own: {@link #placeAll} points it into the scratch buffer. */
    private static memory scratch(engine cpu, memory.desc d) {
        return new memory(d, cpu, new PagedPointer(OneDnnScratch.reserve(d.get_size())));
    }

    /**
     * Before a call: lays the primitive's copies of these arrays (those whose layout differs from the ND4J array's)
     * side by side in this thread's scratch buffer. Null entries and repeats are skipped.
     */
    static void placeAll(OneDnnArray... arrays) {
        long total = 0;
        for (int i = 0; i < arrays.length; i++) {
            if (placed(arrays, i)) {
                total += OneDnnScratch.aligned(arrays[i].innerBytes);
            }
        }
        if (total == 0) {
            return;
        }
        long at = OneDnnScratch.reserve(total);
        for (int i = 0; i < arrays.length; i++) {
            if (placed(arrays, i)) {
                OneDnnArray a = arrays[i];
                if (a.innerAddress != at) { // the scratch buffer usually stays put: no JNI call then
                    a.inner.set_data_handle(new PagedPointer(at));
                    a.innerAddress = at;
                }
                at += OneDnnScratch.aligned(a.innerBytes);
            }
        }
    }

    /** Whether entry i needs a place: present, with a copy of its own, and not an earlier entry again. */
    private static boolean placed(OneDnnArray[] arrays, int i) {
        OneDnnArray a = arrays[i];
        if (a == null || a.inner == a.user) {
            return false;
        }
        for (int j = 0; j < i; j++) {
            if (arrays[j] == a) {
                return false;
            }
        }
        return true;
    }

    /** The ND4J array's layout: its shape and element strides, float32. */
    static memory.desc describe(INDArray a) {
        return new memory.desc(a.shape(), memory.data_type.f32, a.stride());
    }

    /** A plan key part that fixes {@link #describe}: shape and strides. */
    static String layoutKey(INDArray a) {
        return java.util.Arrays.toString(a.shape()) + java.util.Arrays.toString(a.stride());
    }

    /** The array's first element (ND4J's view buffers already include the view's offset in this address). */
    static Pointer address(INDArray a) {
        return a.data().addressPointer();
    }

    /** Points the user memory at this call's array (same shape and strides as the plan's); not for a temporary. */
    void point(INDArray a) {
        Pointer p = address(a);
        if (p.address() != userAddress) {
            user.set_data_handle(p);
            userAddress = p.address();
        }
    }

    /** The memory the primitive takes as its argument. */
    memory forPrimitive() {
        return inner;
    }

    /** Before the primitive: the user's array into the primitive's layout, if they differ. */
    void in(stream s) {
        if (toInner != null) {
            toInner.execute(s, user, inner);
        }
    }

    /** After the primitive: its result into the user's array, if the layouts differ. */
    void out(stream s) {
        if (fromInner != null) {
            fromInner.execute(s, inner, user);
        }
    }
}

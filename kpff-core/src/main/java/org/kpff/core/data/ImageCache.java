package org.kpff.core.data;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide cache of decoded datasets, so that every cell a Spark executor runs on the same dataset and input
 * size reuses one decode.
 *
 * <p>Keyed by (root URI, {@link DatasetListing#fingerprint()}, input size). Thread-safe: concurrent callers with
 * the same key wait for one decode. A decode that fails is not cached, so a retry decodes again; when the decoding
 * thread is interrupted (a killed Spark task), a waiting thread takes over the decode. Strictness is not
 * part of the key: the decode is the same, and a strict {@link #get} fails (naming the files) when the cached
 * result skipped any image.
 *
 * <p>Memory is bounded: an entry holds {@code decoded images · 3 · S · S} bytes (≈ 302 MiB for UC Merced at
 * 224×224), and a search that varies the input size makes one entry per size. After each decode the least recently
 * used finished entries are dropped until the cache holds at most {@link #maxBytes()}; the entry just decoded always
 * stays, even alone over the bound. The bound is the JVM system property {@value #MAX_BYTES_PROPERTY} (in MiB; on a
 * cluster set it through {@code spark.executor.extraJavaOptions}), by default a quarter of the JVM's maximum heap.
 */
public final class ImageCache {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private static final ConcurrentMap<Key, CompletableFuture<DecodedImages>> CACHE = new ConcurrentHashMap<>();
    /** Last use of each key, in {@link #CLOCK} ticks: the LRU order. */
    private static final ConcurrentMap<Key, Long> LAST_USE = new ConcurrentHashMap<>();
    private static final AtomicLong CLOCK = new AtomicLong();
    private static final AtomicLong DECODES = new AtomicLong();

    /** JVM system property: the most MiB of decoded pixels the cache keeps (see the class comment). */
    public static final String MAX_BYTES_PROPERTY = "kpff.image-cache.max-mib";

    private static volatile long maxBytes = defaultMaxBytes();

    private ImageCache() {
    }

    private record Key(String rootUri, String fingerprint, int inputSize) {
    }

    /**
     * The decoded images of {@code listing} at {@code inputSize}, decoding them on {@link
     * DecodedImages#defaultThreads()} threads on first use in this JVM.
     *
     * @param listing   the dataset
     * @param inputSize S (≥ 1)
     * @param strict    fail when any image cannot be decoded, instead of skipping it with a warning
     * @param conf      Hadoop configuration for the images' FileSystem (used on a miss only)
     * @throws DatasetException      in strict mode, naming the files that cannot be decoded
     * @throws CancellationException when the calling thread is interrupted
     */
    public static DecodedImages get(DatasetListing listing, int inputSize, boolean strict, Configuration conf) {
        Objects.requireNonNull(listing, "listing");
        Objects.requireNonNull(conf, "conf");
        ImageDecoder.checkSize(inputSize);
        Key key = new Key(listing.rootUri(), listing.fingerprint(), inputSize);
        LAST_USE.put(key, CLOCK.incrementAndGet());
        DecodedImages images = null;
        while (images == null) {
            CompletableFuture<DecodedImages> mine = new CompletableFuture<>();
            CompletableFuture<DecodedImages> existing = CACHE.putIfAbsent(key, mine);
            if (existing == null) {
                images = decode(key, mine, listing, inputSize, conf);
            } else {
                LOG.debug("Image cache hit for {} at {}x{}", listing.rootUri(), inputSize, inputSize);
                images = await(existing, listing);
            }
        }
        return strict ? images.requireComplete() : images;
    }

    private static DecodedImages decode(Key key, CompletableFuture<DecodedImages> mine, DatasetListing listing,
            int inputSize, Configuration conf) {
        try {
            DecodedImages images = DecodedImages.decode(listing, inputSize, DecodedImages.defaultThreads(), conf);
            DECODES.incrementAndGet();
            mine.complete(images);
            evict(key);
            return images;
        } catch (RuntimeException | Error e) {
            CACHE.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * The result of another thread's decode; {@code null} when that thread was interrupted (e.g. its Spark task was
     * killed), so that the caller decodes itself.
     */
    private static DecodedImages await(CompletableFuture<DecodedImages> future, DatasetListing listing) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException("Interrupted while waiting for dataset '"
                    + listing.rootUri() + "' to be decoded by another thread");
            cancelled.initCause(e);
            throw cancelled;
        } catch (CancellationException e) {
            // CompletableFuture.get throws the owner's CancellationException itself, unwrapped.
            LOG.info("The thread decoding {} was interrupted; decoding in this one", listing.rootUri());
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Decoding dataset '" + listing.rootUri() + "' failed in another thread: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Number of full dataset decodes this cache has done in this JVM (never reset, not even by {@link #clear()}). */
    public static long decodeCount() {
        return DECODES.get();
    }

    /** Number of cached entries (decoded or being decoded). */
    public static int size() {
        return CACHE.size();
    }

    /** Bytes of pixel data held by the finished entries. */
    public static long cachedBytes() {
        long total = 0;
        for (CompletableFuture<DecodedImages> f : CACHE.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                total += f.join().bytes();
            }
        }
        return total;
    }

    /**
     * Drops least recently used finished entries other than {@code keep} until the finished entries hold at most
     * {@link #maxBytes()}.
     */
    private static synchronized void evict(Key keep) {
        long total = cachedBytes();
        while (total > maxBytes) {
            Key victim = null;
            long oldest = Long.MAX_VALUE;
            for (var e : CACHE.entrySet()) {
                CompletableFuture<DecodedImages> f = e.getValue();
                long used = LAST_USE.getOrDefault(e.getKey(), 0L);
                if (!e.getKey().equals(keep) && f.isDone() && !f.isCompletedExceptionally() && used < oldest) {
                    victim = e.getKey();
                    oldest = used;
                }
            }
            if (victim == null) {
                return;
            }
            CompletableFuture<DecodedImages> removed = CACHE.remove(victim);
            LAST_USE.remove(victim);
            if (removed == null) {
                total = cachedBytes();
                continue;
            }
            long freed = removed.join().bytes();
            total -= freed;
            LOG.info("Image cache: dropped {} at {}x{} ({} MiB, least recently used) to stay within {} MiB",
                    victim.rootUri(), victim.inputSize(), victim.inputSize(), freed >> 20, maxBytes >> 20);
        }
    }

    /** The most bytes of decoded pixels the cache keeps (beyond the entry in use). */
    public static long maxBytes() {
        return maxBytes;
    }

    /**
     * Sets {@link #maxBytes()} for this JVM (tests; a job sets the system property) and evicts down to it.
     *
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public static void setMaxBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("image cache max bytes = " + bytes + " (must be >= 0)");
        }
        maxBytes = bytes;
        evict(null);
    }

    /** The bound from {@value #MAX_BYTES_PROPERTY}, else a quarter of the maximum heap. */
    static long defaultMaxBytes() {
        String mib = System.getProperty(MAX_BYTES_PROPERTY);
        if (mib == null || mib.isBlank()) {
            return Runtime.getRuntime().maxMemory() / 4;
        }
        try {
            long value = Long.parseLong(mib.trim());
            if (value < 0) {
                throw new NumberFormatException("negative");
            }
            return value << 20;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("System property " + MAX_BYTES_PROPERTY + " = '" + mib + "' (must be "
                    + "a whole number of MiB >= 0)", e);
        }
    }

    /** Drops every entry (tests, or to free memory before switching datasets). */
    public static void clear() {
        CACHE.clear();
        LAST_USE.clear();
    }
}

package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed decoding task (its thread interrupted) must not fail the tasks waiting for the same dataset. */
class ImageCacheInterruptTest {

    /** Local files under the scheme {@code slow:}, whose opens block while {@link #GATE_CLOSED} is set. */
    public static class SlowFileSystem extends RawLocalFileSystem {
        static final AtomicBoolean GATE_CLOSED = new AtomicBoolean();
        static volatile CountDownLatch entered = new CountDownLatch(1);
        static final Object GATE = new Object();

        @Override
        public URI getUri() {
            return URI.create("slow:///");
        }

        @Override
        public String getScheme() {
            return "slow";
        }

        @Override
        public FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize) throws IOException {
            entered.countDown();
            synchronized (GATE) {
                while (GATE_CLOSED.get()) {
                    try {
                        GATE.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted at the gate");
                    }
                }
            }
            return super.open(f, bufferSize);
        }

        static void open() {
            synchronized (GATE) {
                GATE_CLOSED.set(false);
                GATE.notifyAll();
            }
        }
    }

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() {
        SlowFileSystem.open();
        ImageCache.clear();
    }

    @Test
    void aWaiterTakesOverWhenTheDecodingThreadIsInterrupted() throws Exception {
        TestImages.dataset(tmp.resolve("ds"), 2, 3, 8, 8);
        Configuration conf = new Configuration(TestImages.CONF);
        conf.set("fs.slow.impl", SlowFileSystem.class.getName());
        conf.setBoolean("fs.slow.impl.disable.cache", true);
        DatasetListing listing = SceneDataset.list("slow://" + tmp.resolve("ds").toAbsolutePath(), conf);
        assertTrue(listing.path(0).startsWith("slow:/"), listing.path(0));
        long before = ImageCache.decodeCount();
        SlowFileSystem.GATE_CLOSED.set(true);
        SlowFileSystem.entered = new CountDownLatch(1);

        AtomicReference<Throwable> ownerFailure = new AtomicReference<>();
        AtomicBoolean ownerStillInterrupted = new AtomicBoolean();
        Thread owner = new Thread(() -> {
            try {
                ImageCache.get(listing, 8, false, conf);
            } catch (Throwable t) {
                ownerFailure.set(t);
                ownerStillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        }, "owner");
        owner.start();
        assertTrue(SlowFileSystem.entered.await(10, TimeUnit.SECONDS), "the owner started reading");

        CompletableFuture<DecodedImages> waiter = new CompletableFuture<>();
        Thread waiting = new Thread(() -> {
            try {
                waiter.complete(ImageCache.get(listing, 8, false, conf));
            } catch (Throwable t) {
                waiter.completeExceptionally(t);
            }
        }, "waiter");
        waiting.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiting.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Thread.State.WAITING, waiting.getState(), "the waiter waits for the owner's decode");

        owner.interrupt();
        owner.join(10_000);
        assertInstanceOf(CancellationException.class, ownerFailure.get());
        assertTrue(ownerStillInterrupted.get(), "the owner's interrupt flag is kept");

        SlowFileSystem.open();
        DecodedImages images = waiter.get(30, TimeUnit.SECONDS);
        assertEquals(6, images.decodedCount());
        assertEquals(before + 1, ImageCache.decodeCount());
    }
}

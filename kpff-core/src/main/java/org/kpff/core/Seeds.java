package org.kpff.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The project's one seed derivation: SplitMix64 mixing of a parent seed with numeric stream coordinates (folds,
 * epochs, images) or with the SHA-256 of a stable text (a cell's identity), so every random choice follows from the
 * run seed.
 */
public final class Seeds {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection on 64-bit values that mixes every bit. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed determined by {@code seed} and every one of {@code parts}, well spread for SplittableRandom. */
    public static long derive(long seed, long... parts) {
        long h = mix64(seed);
        for (long p : parts) {
            h = mix64(h ^ mix64(p + GOLDEN));
        }
        return h;
    }

    /**
     * A seed derived from a parent seed and a label: {@code mix64(mix64(parent) ^ stableHash(label))}, e.g. a cell's
     * seed from the run seed and the cell's identity.
     */
    public static long derive(long parent, String label) {
        return mix64(mix64(parent) ^ stableHash(label));
    }

    /** The first 8 bytes of SHA-256 of the UTF-8 text, as a big-endian long: a hash stable across JVMs. */
    public static long stableHash(String text) {
        return ByteBuffer.wrap(sha256(text)).getLong();
    }

    /** SHA-256 of the UTF-8 text: the project's one SHA-256 (seeds, cell ids, dataset and config fingerprints). */
    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

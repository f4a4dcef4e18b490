package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Stratified k-fold: exact sizes, determinism, disjoint test sets covering every image, validation. */
class StratifiedKFoldTest {

    /** Labels of images listed class by class (as a listing does), with the given class counts. */
    static int[] labels(int... counts) {
        return IntStream.range(0, counts.length).flatMap(c -> IntStream.generate(() -> c).limit(counts[c])).toArray();
    }

    static List<String> names(int n) {
        return IntStream.range(0, n).mapToObj(c -> "class" + c).toList();
    }

    static int[] repeat(int count, int times) {
        int[] out = new int[times];
        Arrays.fill(out, count);
        return out;
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(repeat(100, 21), 5), Arguments.of(repeat(5, 21), 5), Arguments.of(new int[] {7, 3, 10, 4}, 3),
                Arguments.of(new int[] {2, 2, 2}, 2), Arguments.of(new int[] {11, 13, 17}, 4),
                Arguments.of(new int[] {9, 9, 9, 9, 9}, 9), Arguments.of(new int[] {3, 50}, 3));
    }

    @ParameterizedTest(name = "counts={0}, k={1}")
    @MethodSource("shapes")
    void everyClassAndTheWholeSetAreSpreadAsEvenlyAsPossible(int[] counts, int k) {
        int[] labels = labels(counts);
        Folds folds = StratifiedKFold.split(labels, names(counts.length), k, 42);
        assertEquals(k, folds.k());
        assertEquals(labels.length, folds.size());
        for (int c = 0; c < counts.length; c++) {
            for (int f = 0; f < k; f++) {
                int cls = c;
                long inFold = Arrays.stream(folds.testIndices(f)).filter(i -> labels[i] == cls).count();
                assertTrue(inFold == counts[c] / k || inFold == (counts[c] + k - 1) / k,
                        "class " + c + " has " + inFold + " images in fold " + f + " of " + counts[c]);
            }
        }
        int[] sizes = IntStream.range(0, k).map(folds::testSize).toArray();
        int total = labels.length;
        for (int size : sizes) {
            assertTrue(size == total / k || size == (total + k - 1) / k, "fold sizes " + Arrays.toString(sizes));
        }
    }

    @ParameterizedTest(name = "counts={0}, k={1}")
    @MethodSource("shapes")
    void testSetsAreDisjointAndCoverEveryImageAndTrainingIsTheComplement(int[] counts, int k) {
        int[] labels = labels(counts);
        Folds folds = StratifiedKFold.split(labels, names(counts.length), k, 7);
        int[] seen = new int[labels.length];
        for (int f = 0; f < k; f++) {
            int[] test = folds.testIndices(f);
            int[] train = folds.trainIndices(f);
            assertEquals(labels.length, test.length + train.length);
            int[] union = IntStream.concat(Arrays.stream(test), Arrays.stream(train)).sorted().toArray();
            assertArrayEquals(IntStream.range(0, labels.length).toArray(), union, "fold " + f);
            for (int i : test) {
                seen[i]++;
                assertEquals(f, folds.fold(i));
            }
        }
        assertTrue(Arrays.stream(seen).allMatch(n -> n == 1), "every image is held out exactly once");
    }

    @Test
    void foldsAreDeterministicFromTheSeedAndDependOnIt() {
        int[] labels = labels(repeat(100, 21));
        Folds a = StratifiedKFold.split(labels, names(21), 5, 123);
        Folds b = StratifiedKFold.split(labels, names(21), 5, 123);
        Folds c = StratifiedKFold.split(labels, names(21), 5, 124);
        assertEquals(a, b);
        assertArrayEquals(a.assignment(), b.assignment());
        assertNotEquals(a, c);
        // Shuffled within a class: not simply round-robin in listing order.
        int[] firstClass = Arrays.copyOf(a.assignment(), 100);
        int[] roundRobin = IntStream.range(0, 100).map(i -> i % 5).toArray();
        assertFalse(Arrays.equals(roundRobin, firstClass));
    }

    @Test
    void foldsSurviveSerialization() throws Exception {
        Folds folds = StratifiedKFold.split(labels(6, 6), names(2), 3, 5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(folds);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(folds, in.readObject());
        }
    }

    @Test
    void aClassWithFewerImagesThanFoldsIsNamed() {
        List<String> classes = new ArrayList<>(List.of("beach", "forest", "river"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> StratifiedKFold.split(labels(5, 3, 4), classes, 5, 1));
        assertEquals("class 'forest' has 3 image(s), class 'river' has 4 image(s), fewer than the k = 5 folds: every "
                + "class needs at least k images (one per held-out fold); add images or lower k.", e.getMessage());
    }

    @Test
    void invalidKAndFoldNumbersAreRejected() {
        IllegalArgumentException k1 = assertThrows(IllegalArgumentException.class,
                () -> StratifiedKFold.split(labels(5, 5), names(2), 1, 1));
        assertEquals("k = 1 (must be at least 2 folds)", k1.getMessage());
        Folds folds = StratifiedKFold.split(labels(5, 5), names(2), 5, 1);
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> folds.testIndices(5));
        assertEquals("fold = 5 (must be in [0, 5))", f.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Folds.of(3, 0, new int[] {0, 3}));
        assertEquals("fold[1] = 3 (must be in [0, 3))", bad.getMessage());
    }
}

package org.hessinv.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the engine (model spec, parameters, examples, .npy vectors): each is refused with an
 * {@link InvalidInputException} whose message names the problem (what, where, the bad value).
 */
class BadInputTest {
    private static final String GOOD = "{\"input\": 3, \"layers\": [{\"type\": \"dense\", \"units\": 4, \"activation\": \"tanh\"},"
            + " {\"type\": \"residual\", \"activation\": \"silu\"}], \"head\": {\"type\": \"softmax\", \"classes\": 3}}";

    /** Asserts the call throws InvalidInputException whose message contains every fragment. */
    private static InvalidInputException refused(Executable call, String... fragments) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks \"" + f + "\": " + e.getMessage());
        return e;
    }

    @Test
    void goodSpecParses() {
        Network net = ModelSpec.parse(GOOD);
        assertEquals(3, net.stageCount());
        assertEquals(4 * 4 + 4 * 5 + 3 * 5, net.paramCount());
    }

    @Test
    void malformedJson() {
        refused(() -> ModelSpec.parse("{\"input\": 3, \"layers\": [}"), "not valid JSON", "line 1");
        refused(() -> ModelSpec.parse("[1, 2]"), "must be a JSON object");
        refused(() -> ModelSpec.parse(""), "JSON");
    }

    @Test
    void trailingTextDuplicateKeysAndDeepNestingAreRefused() {
        refused(() -> ModelSpec.parse(GOOD + " garbage"), "not valid JSON", "text after the spec's closing }", "line 1", "remove it");
        refused(() -> ModelSpec.parse(GOOD + "\n{}"), "text after the spec's closing }", "remove it");
        assertEquals(3, ModelSpec.parse(GOOD + "\n  \n").stageCount());   // trailing white space is fine
        refused(() -> ModelSpec.parse(GOOD.replace("\"classes\": 3", "\"classes\": 3, \"classes\": 4")), "Duplicate field 'classes'", "once");
        String deep = "{\"input\": 3, \"layers\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        refused(() -> ModelSpec.parse(deep), "nested deeper than 64");
        // brackets inside strings do not count as nesting
        refused(() -> ModelSpec.parse(GOOD.replace("\"tanh\"", "\"" + "[".repeat(100) + "\"")), "layer 1", "unknown activation");
    }

    @Test
    void sizesAreCountedBeforeAllocating() {
        refused(() -> ModelSpec.parse(GOOD.replace("\"activation\": \"silu\"}", "\"activation\": \"silu\", \"repeat\": 2147483647}")),
                "parameters", "stages", "Java array");
        refused(() -> ModelSpec.parse("{\"input\": 65536, \"layers\": [{\"type\": \"dense\", \"units\": 65536, \"activation\": \"tanh\"}],"
                + " \"head\": {\"type\": \"mse\", \"outputs\": 1}}"), "layer 1", "65536 units", "Java array");
        refused(() -> ModelSpec.parse("{\"input\": 4, \"layers\": [{\"type\": \"square\", \"units\": 65536, \"activation\": \"tanh\","
                + " \"parameter\": \"gain\", \"seed\": 1}, {\"type\": \"square\", \"units\": 65536, \"activation\": \"tanh\","
                + " \"parameter\": \"gain\", \"seed\": 1}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}"), "layer 2", "Java array");
        refused(() -> ModelSpec.parse(GOOD.replace("\"units\": 4", "\"units\": 20000")), "GB", "heap");
        refused(() -> ModelSpec.parse("{\"input\": 4, \"layers\": [{\"type\": \"dense\", \"units\": 65536, \"activation\": \"tanh\","
                + " \"repeat\": 2}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}"), "layer 1", "input of width 65536", "Java array");
    }

    @Test
    void unknownLayerTypeNamesTheLayerAndTheType() {
        refused(() -> ModelSpec.parse(GOOD.replace("\"residual\"", "\"conv\"")), "layer 2", "\"conv\"", "dense", "residual");
    }

    @Test
    void unknownActivationNamesTheLayerAndTheActivation() {
        refused(() -> ModelSpec.parse(GOOD.replace("\"silu\"", "\"relu\"")), "layer 2", "\"relu\"", "tanh");
        refused(() -> ModelSpec.parse(GOOD.replace("\"tanh\"", "\"Tanh\"")), "layer 1", "\"Tanh\"");
        refused(() -> Activation.fromSpec("swish"), "unknown activation \"swish\"");
    }

    @Test
    void otherSpecMistakes() {
        refused(() -> ModelSpec.parse(GOOD.replace("\"softmax\", \"classes\"", "\"hinge\", \"classes\"")), "head", "\"hinge\"");
        refused(() -> ModelSpec.parse(GOOD.replace("\"units\": 4", "\"units\": 0")), "layer 1", "\"units\"", "positive integer", "0");
        refused(() -> ModelSpec.parse(GOOD.replace("\"units\": 4", "\"unit\": 4")), "layer 1", "unknown field \"unit\"");
        refused(() -> ModelSpec.parse(GOOD.replace("\"input\": 3", "\"input\": -3")), "\"input\"", "-3");
        refused(() -> ModelSpec.parse(GOOD.replace("{\"type\": \"residual\", \"activation\": \"silu\"}",
                "{\"type\": \"residual\", \"units\": 5, \"activation\": \"silu\"}")), "layer 2", "width 4", "5");
        refused(() -> ModelSpec.parse("{\"input\": 3, \"layers\": []}"), "missing \"head\"");
        refused(() -> ModelSpec.parse(GOOD.replace("\"classes\": 3", "\"classes\": 1")), "at least 2 classes", "1");
        refused(() -> Curvature.fromSpec("fisher"), "unknown curvature \"fisher\"");
    }

    @Test
    void unreadableSpecFileNamesThePath(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.json");
        refused(() -> ModelSpec.read(missing), "cannot read model spec", missing.toString());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, GOOD.replace("\"silu\"", "\"relu\""));
        refused(() -> ModelSpec.read(bad), bad.toString(), "layer 2", "\"relu\"");
    }

    private static final Network NET = ModelSpec.parse(GOOD);

    private static double[] params() { return NET.initialParameters(1); }

    private static List<Example> examples() {
        return List.of(new Example(new double[] {0.1, -0.2, 0.3}, new double[] {2}), new Example(new double[] {1, 2, 3}, new double[] {0}));
    }

    @Test
    void parameterVectorOfTheWrongLength() {
        double[] x = java.util.Arrays.copyOf(params(), NET.paramCount() + 1);
        refused(() -> NET.validateParameters(x), "parameter vector has " + x.length, "needs " + NET.paramCount());
        refused(() -> new ExampleBatch(NET, java.util.Arrays.copyOf(x, 5), examples(), Curvature.HESSIAN), "has 5 entries");
    }

    @Test
    void nonFiniteParameters() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            double[] x = params();
            int i = NET.paramOffset(1) + 3; // in stage 2
            x[i] = bad;
            refused(() -> NET.validateParameters(x), "parameter " + i, "stage 2", String.valueOf(bad), "finite");
            refused(() -> new ExampleBatch(NET, x, examples(), Curvature.GGN), "parameter " + i);
        }
    }

    @Test
    void nonFiniteOrMisSizedInputs() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            List<Example> ex = List.of(examples().get(0), new Example(new double[] {1, bad, 3}, new double[] {1}));
            refused(() -> new ExampleBatch(NET, params(), ex, Curvature.HESSIAN), "example 1", "feature 1", String.valueOf(bad));
        }
        refused(() -> NET.validateExample(new Example(new double[] {1, 2}, new double[] {1}), 4), "example 4", "2 features", "input is 3");
        refused(() -> new ExampleBatch(NET, params(), List.of(), Curvature.HESSIAN), "no examples");
    }

    @Test
    void labelOutOfRange() {
        for (double label : new double[] {3, -1, 17}) {
            refused(() -> NET.validateExample(new Example(new double[] {1, 2, 3}, new double[] {label}), 5),
                    "example 5", "label " + (long) label, "out of range", "0..2");
        }
        refused(() -> NET.validateExample(new Example(new double[] {1, 2, 3}, new double[] {1.5}), 0), "label 1.5", "integers 0..2");
        refused(() -> NET.validateExample(new Example(new double[] {1, 2, 3}, new double[] {Double.NaN}), 0), "label NaN");
        refused(() -> NET.validateExample(new Example(new double[] {1, 2, 3}, new double[] {1, 2}), 0), "one integer label", "2 values");
        List<Example> ex = List.of(new Example(new double[] {1, 2, 3}, new double[] {3}));
        refused(() -> new ExampleBatch(NET, params(), ex, Curvature.HESSIAN), "label 3 out of range");
    }

    @Test
    void badMseTargets() {
        MseHead head = new MseHead(4, 2);
        refused(() -> head.validateResponse(new double[] {1}, 3), "example 3", "1 targets", "2 outputs");
        refused(() -> head.validateResponse(new double[] {1, Double.NaN}, 3), "example 3", "non-finite target");
    }

    // ---- .npy vectors

    private static byte[] npy(String descr, String shape, int dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        byte[] h = (dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        return b.array();
    }

    @Test
    void npyRoundTripsAndRefusesMalformedFiles(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.npy");
        double[] v = {1.5, -2, Math.PI};
        Npy.write(ok, v);
        assertArrayEquals(v, Npy.read(ok));

        Path f = dir.resolve("x.npy");
        refused(() -> Npy.read(dir.resolve("missing.npy")), "no such file", "missing.npy");
        Files.write(f, "not numpy at all".getBytes(StandardCharsets.ISO_8859_1));
        refused(() -> Npy.read(f), f.toString(), "not a valid .npy file", "magic");
        Files.write(f, new byte[] {1, 2, 3});
        refused(() -> Npy.read(f), "too short");
        Files.write(f, npy("<f4", "(3,)", 12));
        refused(() -> Npy.read(f), "dtype <f4", "float64");
        Files.write(f, npy("<f8", "(2, 3)", 48));
        refused(() -> Npy.read(f), "shape (2, 3)", "1-D");
        Files.write(f, npy("<f8", "(3,)", 16));
        refused(() -> Npy.read(f), "16 data bytes", "needs 24");
        Files.write(f, npy("<f8", "(2305843009213693952,)", 16));
        refused(() -> Npy.read(f), "(2305843009213693952,)", "more data than");
        Files.write(f, npy("<f8", "(65536, 65536, 65536, 65536)", 16));
        refused(() -> Npy.read(f), "more data than");
        Files.write(f, npy("<f8", "(-2,)", 16));
        refused(() -> Npy.read(f), "negative dimension");
        byte[] truncated = java.util.Arrays.copyOf(Npy.encode(v), 20);
        Files.write(f, truncated);
        refused(() -> Npy.read(f), "truncated header");
    }
}

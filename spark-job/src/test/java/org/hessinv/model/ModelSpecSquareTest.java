package org.hessinv.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON of the square-parameterized layers and the single-parameter head, and its refusals. */
class ModelSpecSquareTest {
    @Test
    void parsesSquareLayersAndHead() {
        Network net = ModelSpec.parse("{\"input\": 2, \"layers\": ["
                + "{\"type\": \"square\", \"units\": 3, \"activation\": \"tanh\", \"parameter\": \"gain\", \"weights\": [[1, 2], [3, 4], [5, 6]]},"
                + "{\"type\": \"square\", \"units\": 3, \"activation\": \"gelu\", \"parameter\": \"bias\", \"seed\": 7, \"repeat\": 2}],"
                + " \"head\": {\"type\": \"mse\", \"outputs\": 1, \"parameter\": \"gain\", \"seed\": 1}}");
        assertEquals(4, net.stageCount());
        assertEquals(3 + 3 + 3 + 1, net.paramCount());
        AffineStage first = net.stage(0);
        assertEquals(Parameterization.GAIN, first.parameterization());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, first.frozenWeights());
        assertEquals("square(3, tanh, gain)", first.describe());
        assertEquals("mse(1, gain)", net.head().describe());
        // each repetition of a seeded layer draws its own W, reproducibly
        assertTrue(!java.util.Arrays.equals(net.stage(1).frozenWeights(), net.stage(2).frozenWeights()));
        Network again = ModelSpec.parse("{\"input\": 2, \"layers\": [{\"type\": \"square\", \"units\": 3, \"activation\": \"tanh\","
                + " \"parameter\": \"gain\", \"weights\": [[1, 2], [3, 4], [5, 6]]}, {\"type\": \"square\", \"units\": 3,"
                + " \"activation\": \"gelu\", \"parameter\": \"bias\", \"seed\": 7}], \"head\": {\"type\": \"mse\", \"outputs\": 1}}");
        assertArrayEquals(net.stage(1).frozenWeights(), again.stage(1).frozenWeights());
        assertNull(again.head().frozenWeights());
        // u = x * (W z) for the gain layer
        double[] u = new double[3];
        first.affine(new double[] {2, 1, -1}, 0, new double[] {1, 1}, u);
        assertArrayEquals(new double[] {6, 7, -11}, u);
        // gains start near 1, biases near 0
        double[] x = net.initialParameters(0);
        assertEquals(1.0, x[0], 0.5);
        assertEquals(0.0, x[3], 0.5);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"weights\": [[1, 2], [3, 4]]} | \"parameter\" must be a string",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"scale\", \"seed\": 1} | unknown \"parameter\" \"scale\"",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"gain\"} | either as \"weights\"",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"gain\", \"seed\": 1, \"weights\": [[1, 2], [3, 4]]} | exactly one of them",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"gain\", \"weights\": [[1, 2]]} | array of 2 rows",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"gain\", \"weights\": [[1, 2], [3]]} | row 2 of \"weights\" must have 2 numbers",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"bias\", \"weights\": [[1, 2], [3, \"x\"]]} | must be a finite number",
            "{\"type\": \"square\", \"units\": 2, \"activation\": \"tanh\", \"parameter\": \"bias\", \"seed\": -1} | \"seed\" must be an integer >= 0",
            "{\"type\": \"dense\", \"units\": 2, \"activation\": \"tanh\", \"seed\": 1} | unknown field \"seed\""})
    void refusesBadSquareLayers(String layer, String words) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelSpec.parse("{\"input\": 2, \"layers\": [" + layer + "], \"head\": {\"type\": \"mse\", \"outputs\": 1}}"));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains(words.strip()), e.getMessage());
    }

    @Test
    void refusesFrozenWeightsWithoutParameterOnTheHead() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelSpec.parse("{\"input\": 2, \"head\": {\"type\": \"mse\", \"outputs\": 1, \"seed\": 3}}"));
        assertTrue(e.getMessage().contains("need \"parameter\""), e.getMessage());
        InvalidInputException e2 = assertThrows(InvalidInputException.class,
                () -> ModelSpec.parse("{\"input\": 2, \"head\": {\"type\": \"softmax\", \"classes\": 2, \"parameter\": \"bias\", \"seed\": 3}}"));
        assertTrue(e2.getMessage().contains("unknown field \"parameter\""), e2.getMessage());
    }
}

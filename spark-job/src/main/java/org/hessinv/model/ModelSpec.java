package org.hessinv.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The JSON model spec, e.g.
 * {@code {"input": 8, "layers": [{"type": "dense", "units": 16, "activation": "tanh"},
 * {"type": "residual", "activation": "tanh", "repeat": 62}], "head": {"type": "softmax", "classes": 3}}}.
 */
public final class ModelSpec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_KEYS = Set.of("input", "layers", "head");
    private static final Set<String> LAYER_KEYS = Set.of("type", "units", "activation", "repeat");

    private ModelSpec() {}

    public static Network read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read model spec " + file + ": " + e.getMessage() + "; check the --model path");
        }
        try {
            return parse(text);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("model spec " + file + ": " + e.getMessage());
        }
    }

    public static Network parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) throw new InvalidInputException("the spec must be a JSON object with \"input\", \"layers\" and \"head\"");
        checkKeys(root, TOP_KEYS, "the spec");
        int input = positiveInt(root, "input", "the spec");
        JsonNode layers = root.get("layers");
        List<HiddenLayer> hidden = new ArrayList<>();
        int width = input;
        if (layers != null && !layers.isNull()) {
            if (!layers.isArray()) throw new InvalidInputException("\"layers\" must be an array of layer objects");
            for (int i = 0; i < layers.size(); i++) {
                JsonNode l = layers.get(i);
                String where = "layer " + (i + 1);
                if (!l.isObject()) throw new InvalidInputException(where + " must be an object like {\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"}");
                checkKeys(l, LAYER_KEYS, where);
                String type = text(l, "type", where);
                Activation s;
                try {
                    s = Activation.fromSpec(text(l, "activation", where));
                } catch (InvalidInputException e) {
                    throw new InvalidInputException(where + ": " + e.getMessage());
                }
                int repeat = l.has("repeat") ? positiveInt(l, "repeat", where) : 1;
                for (int r = 0; r < repeat; r++) {
                    switch (type) {
                        case "dense" -> {
                            int units = positiveInt(l, "units", where);
                            hidden.add(HiddenLayer.dense(width, units, s));
                            width = units;
                        }
                        case "residual" -> {
                            if (l.has("units") && positiveInt(l, "units", where) != width) {
                                throw new InvalidInputException(where + ": a residual layer keeps its width " + width
                                        + ", but \"units\" is " + l.get("units") + "; drop \"units\" or use a dense layer");
                            }
                            hidden.add(HiddenLayer.residual(width, s));
                        }
                        default -> throw new InvalidInputException(where + ": unknown layer type \"" + type + "\"; use \"dense\" or \"residual\"");
                    }
                }
            }
        }
        JsonNode h = root.get("head");
        if (h == null || !h.isObject()) throw new InvalidInputException("missing \"head\": give {\"type\": \"mse\", \"outputs\": k} or {\"type\": \"softmax\", \"classes\": K}");
        String type = text(h, "type", "head");
        Head head = switch (type) {
            case "mse" -> { checkKeys(h, Set.of("type", "outputs"), "head"); yield new MseHead(width, positiveInt(h, "outputs", "head")); }
            case "softmax" -> { checkKeys(h, Set.of("type", "classes"), "head"); yield new SoftmaxHead(width, positiveInt(h, "classes", "head")); }
            default -> throw new InvalidInputException("head: unknown head type \"" + type + "\"; use \"mse\" or \"softmax\"");
        };
        return new Network(input, hidden, head);
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) throw new InvalidInputException(where + ": unknown field \"" + k + "\"; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) throw new InvalidInputException(where + ": \"" + key + "\" must be a string");
        return v.asText();
    }

    private static int positiveInt(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new InvalidInputException(where + ": \"" + key + "\" must be a positive integer, got " + (v == null ? "nothing" : v.toString()));
        }
        return v.asInt();
    }
}

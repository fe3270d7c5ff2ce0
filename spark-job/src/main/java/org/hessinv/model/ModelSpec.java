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
 *
 * <p>Square-parameterized stages (the paper's section 6 route needs them) keep W frozen in the spec and train
 * a vector of the output's size: {@code {"type": "square", "units": 4, "activation": "tanh", "parameter": "gain",
 * "weights": [[...], ...]}} ({@code s(x * (W z))}; {@code "parameter": "bias"} gives {@code s(W z + x)}), W given
 * row by row ({@code units} rows of the input width) or drawn with {@code "seed": N} (N(0, 1/inputs), one draw
 * per repetition); the head {@code {"type": "mse", "outputs": 1, "parameter": "bias", "seed": 3}} likewise.
 */
public final class ModelSpec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** Deepest JSON nesting a spec may have (a spec needs 4: object, layers array, layer object, weights rows). */
    private static final int MAX_NESTING = 64;
    /** The most parameters a model may have: the flat vector is one Java array. */
    public static final long MAX_PARAMETERS = Integer.MAX_VALUE - 8;
    /** Driver bytes per stage of the network object and its bookkeeping (a generous estimate). */
    private static final long BYTES_PER_STAGE = 1024;
    /** Parameter-sized vectors the driver holds at once (x, gradient, rhs, direction, broadcasts, aggregates). */
    private static final long VECTORS_PER_PARAMETER = 8;
    private static final Set<String> TOP_KEYS = Set.of("input", "layers", "head");
    private static final Set<String> LAYER_KEYS = Set.of("type", "units", "activation", "repeat");
    private static final Set<String> SQUARE_KEYS = Set.of("type", "units", "activation", "repeat", "parameter", "weights", "seed");

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
        checkNesting(json);
        JsonNode root = null;
        try (com.fasterxml.jackson.core.JsonParser parser = JSON.getFactory().createParser(json)) {
            root = JSON.readTree(parser);
            com.fasterxml.jackson.core.JsonLocation end = parser.currentLocation();
            if (root != null && parser.nextToken() != null) throw new JsonTrailing(end);
        } catch (JsonTrailing e) {
            throw new InvalidInputException("not valid JSON: text after the spec's closing } (from line " + e.end.getLineNr()
                    + ", column " + e.end.getColumnNr() + "); remove it");
        } catch (JsonProcessingException e) {
            if (root != null) {
                throw new InvalidInputException("not valid JSON: text after the spec's closing } (at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + "); remove it");
            }
            String msg = String.valueOf(e.getOriginalMessage());
            int nl = msg.indexOf('\n');
            if (nl >= 0) msg = msg.substring(0, nl);
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String hint = msg.startsWith("Duplicate field") ? "; give each field once"
                    : "";
            throw new InvalidInputException("not valid JSON (" + msg + at + ")" + hint);
        } catch (IOException e) {
            throw new InvalidInputException("cannot parse the spec: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new InvalidInputException("the spec must be a JSON object with \"input\", \"layers\" and \"head\"");
        checkKeys(root, TOP_KEYS, "the spec");
        int input = positiveInt(root, "input", "the spec");
        checkSize(root, input);
        JsonNode layers = root.get("layers");
        List<HiddenLayer> hidden = new ArrayList<>();
        int width = input;
        if (layers != null && !layers.isNull()) {
            if (!layers.isArray()) throw new InvalidInputException("\"layers\" must be an array of layer objects");
            for (int i = 0; i < layers.size(); i++) {
                JsonNode l = layers.get(i);
                String where = "layer " + (i + 1);
                if (!l.isObject()) throw new InvalidInputException(where + " must be an object like {\"type\": \"dense\", \"units\": 16, \"activation\": \"tanh\"}");
                String type = text(l, "type", where);
                checkKeys(l, type.equals("square") ? SQUARE_KEYS : LAYER_KEYS, where);
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
                            hidden.add(new DenseLayer(width, units, s));
                            width = units;
                        }
                        case "residual" -> {
                            if (l.has("units") && positiveInt(l, "units", where) != width) {
                                throw new InvalidInputException(where + ": a residual layer keeps its width " + width
                                        + ", but \"units\" is " + l.get("units") + "; drop \"units\" or use a dense layer");
                            }
                            hidden.add(new ResidualLayer(width, s));
                        }
                        case "square" -> {
                            int units = positiveInt(l, "units", where);
                            Parameterization pz = Parameterization.fromSpec(text(l, "parameter", where), where);
                            double[] w = frozenWeights(l, units, width, r, where);
                            hidden.add(switch (pz) {
                                case GAIN -> new SquareGainLayer(width, units, s, w);
                                case BIAS -> new SquareBiasLayer(width, units, s, w);
                                case FULL -> throw new IllegalStateException("the spec has no \"full\" parameter");
                            });
                            width = units;
                        }
                        default -> throw new InvalidInputException(where + ": unknown layer type \"" + type + "\"; use \"dense\", \"residual\" or \"square\"");
                    }
                }
            }
        }
        JsonNode h = root.get("head");
        if (h == null || !h.isObject()) throw new InvalidInputException("missing \"head\": give {\"type\": \"mse\", \"outputs\": k} or {\"type\": \"softmax\", \"classes\": K}");
        String type = text(h, "type", "head");
        Head head = switch (type) {
            case "mse" -> {
                checkKeys(h, Set.of("type", "outputs", "parameter", "weights", "seed"), "head");
                int outputs = positiveInt(h, "outputs", "head");
                if (!h.has("parameter")) {
                    if (h.has("weights") || h.has("seed")) {
                        throw new InvalidInputException("head: \"weights\" and \"seed\" give a frozen W and need \"parameter\": \"gain\" or \"bias\"");
                    }
                    yield new MseHead(width, outputs);
                }
                Parameterization pz = Parameterization.fromSpec(text(h, "parameter", "head"), "head");
                yield new MseHead(width, outputs, pz, frozenWeights(h, outputs, width, 0, "head"));
            }
            case "softmax" -> { checkKeys(h, Set.of("type", "classes"), "head"); yield new SoftmaxHead(width, positiveInt(h, "classes", "head")); }
            default -> throw new InvalidInputException("head: unknown head type \"" + type + "\"; use \"mse\" or \"softmax\"");
        };
        return new Network(input, hidden, head);
    }

    /**
     * The frozen W (units x inputs, row-major) of a square stage: {@code "weights"} (units rows of length inputs)
     * or {@code "seed"} (N(0, 1/inputs) entries, repetition r drawn from its own stream); exactly one of them.
     */
    private static double[] frozenWeights(JsonNode node, int units, int inputs, int repetition, String where) {
        boolean hasW = node.has("weights");
        boolean hasSeed = node.has("seed");
        if (hasW == hasSeed) {
            throw new InvalidInputException(where + ": give the frozen W either as \"weights\" (" + units + " rows of " + inputs
                    + " numbers) or as \"seed\" (an integer >= 0), exactly one of them");
        }
        double[] w = new double[units * inputs];
        if (hasSeed) {
            JsonNode v = node.get("seed");
            if (!v.isIntegralNumber() || v.asLong() < 0) throw new InvalidInputException(where + ": \"seed\" must be an integer >= 0, got " + v);
            java.util.SplittableRandom rng = new java.util.SplittableRandom(v.asLong() + 0x9E3779B97F4A7C15L * repetition);
            double scale = 1.0 / Math.sqrt(inputs);
            for (int i = 0; i < w.length; i++) w[i] = scale * Network.gaussian(rng);
            return w;
        }
        JsonNode rows = node.get("weights");
        if (!rows.isArray() || rows.size() != units) {
            throw new InvalidInputException(where + ": \"weights\" must be an array of " + units + " rows (one per unit), got "
                    + (rows.isArray() ? rows.size() + " rows" : rows.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        for (int j = 0; j < units; j++) {
            JsonNode row = rows.get(j);
            if (!row.isArray() || row.size() != inputs) {
                throw new InvalidInputException(where + ": row " + (j + 1) + " of \"weights\" must have " + inputs
                        + " numbers (the layer's input width), got " + (row.isArray() ? String.valueOf(row.size()) : row.toString()));
            }
            for (int k = 0; k < inputs; k++) {
                JsonNode e = row.get(k);
                if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
                    throw new InvalidInputException(where + ": \"weights\"[" + j + "][" + k + "] must be a finite number, got " + e);
                }
                w[j * inputs + k] = e.asDouble();
            }
        }
        return w;
    }

    /** Refuses JSON nested deeper than {@link #MAX_NESTING} before parsing it (a parser would recurse that deep). */
    private static void checkNesting(String json) {
        int depth = 0;
        int line = 1;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\n') line++;
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_NESTING) {
                    throw new InvalidInputException("nested deeper than " + MAX_NESTING + " levels (at line " + line
                            + "); a spec is an object of layer objects, use \"repeat\" for depth");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    /**
     * Counts the stages and parameters the spec describes (as longs, before anything is allocated) and refuses a model
     * that cannot be represented (more than {@link #MAX_PARAMETERS} parameters, a stage wider than an int) or whose
     * parameter vectors and stages alone would not fit in this JVM's heap.
     */
    private static void checkSize(JsonNode root, int input) {
        JsonNode layers = root.get("layers");
        double params = 0;
        double stages = 1;
        long width = input;
        if (layers != null && layers.isArray()) {
            for (int i = 0; i < layers.size(); i++) {
                JsonNode l = layers.get(i);
                if (!l.isObject()) return;   // reported with its position by the parse
                JsonNode rep = l.get("repeat");
                JsonNode units = l.get("units");
                JsonNode type = l.get("type");
                double repeat = rep != null && rep.isIntegralNumber() && rep.asLong() > 0 ? rep.asDouble() : 1;
                long u = units != null && units.isIntegralNumber() && units.asLong() > 0 ? units.asLong() : width;
                String t = type == null ? "" : type.asText();
                // the first repetition reads the current width, the others (dense, square) their own output
                double first = switch (t) {
                    case "residual" -> (double) width * (width + 1);
                    case "dense" -> (double) u * (width + 1);
                    case "square" -> u;
                    default -> 0;
                };
                double others = switch (t) {
                    case "residual" -> first;
                    case "dense" -> (double) u * (u + 1);
                    case "square" -> u;
                    default -> 0;
                };
                if (t.equals("dense") || t.equals("square")) {
                    long widest = repeat > 1 ? Math.max(width, u) : width;
                    if ((double) u * widest > MAX_PARAMETERS) {
                        throw new InvalidInputException("layer " + (i + 1) + ": " + u + " units on an input of width " + widest
                                + " make a weight matrix of " + String.format(java.util.Locale.ROOT, "%.3g", (double) u * widest)
                                + " entries, more than one Java array holds (" + MAX_PARAMETERS + "); use narrower layers");
                    }
                    width = u;
                } else if (t.equals("residual") && (double) width * width > MAX_PARAMETERS) {
                    throw new InvalidInputException("layer " + (i + 1) + ": a residual layer of width " + width + " has a weight matrix of "
                            + String.format(java.util.Locale.ROOT, "%.3g", (double) width * width) + " entries, more than one Java array holds ("
                            + MAX_PARAMETERS + "); use narrower layers");
                }
                params += first + (repeat - 1) * others;
                stages += repeat;
            }
        }
        JsonNode h = root.get("head");
        if (h != null && h.isObject()) {
            JsonNode k = h.has("outputs") ? h.get("outputs") : h.get("classes");
            if (k != null && k.isIntegralNumber() && k.asLong() > 0) params += (double) k.asLong() * (width + 1);
        }
        if (params > MAX_PARAMETERS || stages > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(String.format(java.util.Locale.ROOT, "the model has %.4g parameters in %.4g stages, more than one "
                    + "Java array holds (%d); use fewer or narrower layers (check \"repeat\" and \"units\")", params, stages, MAX_PARAMETERS));
        }
        long heap = Runtime.getRuntime().maxMemory();
        double need = params * 8 * VECTORS_PER_PARAMETER + stages * BYTES_PER_STAGE;
        if (need > heap) {
            throw new InvalidInputException(String.format(java.util.Locale.ROOT, "the model has %.0f parameters in %.0f stages, which needs "
                    + "about %.1f GB of driver memory for its parameter vectors alone, but the heap is %.1f GB; use fewer or narrower "
                    + "layers, or a larger heap (HESSINV_DRIVER_MEMORY, --driver-memory)", params, stages, need / 1e9, heap / 1e9));
        }
    }

    /** Something follows the root object. */
    private static final class JsonTrailing extends IOException {
        private static final long serialVersionUID = 1L;
        final transient com.fasterxml.jackson.core.JsonLocation end;

        JsonTrailing(com.fasterxml.jackson.core.JsonLocation end) {
            super("trailing text");
            this.end = end;
        }
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

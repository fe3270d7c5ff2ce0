package org.hessinv.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.regex.Pattern;
import org.hessinv.model.InvalidInputException;

/**
 * Checks a Spark master URL on the driver before a SparkContext is made: the form (Spark itself answers a bad one
 * with a trace) and, for a standalone {@code spark://host:port}, that something listens there (Spark would retry
 * registering for about a minute and then stop the context under the job).
 */
public final class MasterUrl {
    /** Connect timeout per master address. */
    public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9]\\d*)(,\\s*[0-9]\\d*)?\\])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*[1-9]\\d*\\s*,\\s*[1-9]\\d*\\s*,\\s*[1-9]\\d*\\s*\\]");
    private static final String FORMS = "use local[*], local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT";

    private MasterUrl() {}

    /** Refuses (InvalidInputException) a master URL of no form Spark knows. */
    public static void checkForm(String master) {
        if (master == null) return;
        String m = master.trim();
        if (LOCAL.matcher(m).matches() || LOCAL_CLUSTER.matcher(m).matches() || m.equals("yarn")) return;
        if (m.startsWith("k8s://") && m.length() > "k8s://".length()) return;
        if (!m.startsWith("spark://")) throw new InvalidInputException("unknown --master \"" + master + "\"; " + FORMS);
        for (String hp : m.substring("spark://".length()).split(",")) address(master, hp);
    }

    /** Refuses (InvalidInputException) a master URL of no form Spark knows, or a standalone master nobody listens at. */
    public static void check(String master) {
        checkForm(master);
        if (master == null || !master.trim().startsWith("spark://")) return;
        String[] hosts = master.trim().substring("spark://".length()).split(",");
        StringBuilder why = new StringBuilder();
        java.util.List<InetSocketAddress> reachable = new java.util.ArrayList<>();
        for (String hp : hosts) {
            InetSocketAddress address = address(master, hp);
            try (Socket s = new Socket()) {
                s.connect(address, CONNECT_TIMEOUT_MILLIS);
                reachable.add(address);
            } catch (IOException e) {
                if (why.length() > 0) why.append("; ");
                why.append(hp).append(": ").append(e instanceof java.net.UnknownHostException ? "unknown host"
                        : e instanceof java.net.SocketTimeoutException ? "no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s"
                        : String.valueOf(e.getMessage()));
            }
        }
        if (reachable.isEmpty()) {
            throw new InvalidInputException("cannot reach the Spark master " + master + " (" + why + "); start it "
                    + "(e.g. submit-scripts/standalone-cluster start) or check --master");
        }
        probeMaster(master, reachable);   // one master that answers is enough (the others are standbys)
    }

    /** How long a standalone master's RPC endpoint may take to answer the probe. */
    public static final int PROBE_TIMEOUT_SECONDS = 5;

    /**
     * Asks each {@code spark://} address, over Spark's own RPC, whether it has a "Master" endpoint (what SparkContext
     * registers with), within {@link #PROBE_TIMEOUT_SECONDS}: something that accepts TCP connections but is not a
     * Spark master would otherwise keep SparkContext retrying for a minute and then stop it under the job. Spark's
     * connection warnings meanwhile are dropped ({@link UserErrorLogFilter#connecting}).
     */
    private static void probeMaster(String master, java.util.List<InetSocketAddress> reachable) {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf()
                .set("spark.rpc.lookupTimeout", PROBE_TIMEOUT_SECONDS + "s")
                .set("spark.rpc.askTimeout", PROBE_TIMEOUT_SECONDS + "s");
        UserErrorLogFilter.connecting(true);
        org.apache.spark.rpc.RpcEnv env = null;
        StringBuilder why = new StringBuilder();
        try {
            org.apache.spark.SecurityManager security = new org.apache.spark.SecurityManager(conf,
                    org.apache.spark.SecurityManager$.MODULE$.$lessinit$greater$default$2(),
                    org.apache.spark.SecurityManager$.MODULE$.$lessinit$greater$default$3());
            String local = System.getenv().getOrDefault("SPARK_LOCAL_IP", "127.0.0.1");
            env = org.apache.spark.rpc.RpcEnv$.MODULE$.create("hessinv-master-probe", local, 0, conf, security, true);
            for (InetSocketAddress a : reachable) {
                try {
                    env.setupEndpointRef(new org.apache.spark.rpc.RpcAddress(a.getHostString(), a.getPort()), "Master");
                    return;
                } catch (Exception e) {   // SparkException, RpcTimeoutException
                    if (why.length() > 0) why.append("; ");
                    why.append(a.getHostString()).append(':').append(a.getPort()).append(": ").append(ExampleReader.summary(e));
                }
            }
        } catch (Exception e) {
            return;   // cannot probe (e.g. no local address to bind): let SparkContext try
        } finally {
            if (env != null) env.shutdown();
            UserErrorLogFilter.connecting(false);
        }
        throw new InvalidInputException("the Spark master " + master + " does not answer as a Spark master (" + why
                + "); check --master and the cluster");
    }

    private static InetSocketAddress address(String master, String hostPort) {
        URI u;
        try {
            u = new URI("spark://" + hostPort.trim());
        } catch (java.net.URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getHost() == null || u.getPort() <= 0 || (u.getPath() != null && !u.getPath().isEmpty())) {
            throw new InvalidInputException("--master " + master + " is not of the form spark://HOST:PORT; " + FORMS);
        }
        return new InetSocketAddress(u.getHost(), u.getPort());
    }
}

package org.hessinv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * The standalone cluster of submit-scripts/standalone-cluster is authenticated: the test starts it
 * through the launcher (one Worker, free ports, its own state folder, the daemons on SPARK_HOME/jars of
 * the test run plus target/classes), then
 * <ul>
 *   <li>a driver with the cluster's properties file (the secret and the security settings the launchers
 *       give SparkSubmit) runs a job on the cluster's executor;</li>
 *   <li>a client with a wrong secret, and one without authentication, cannot even reach the Master's RPC
 *       endpoint (the first step of an application's registration), while the right secret can;</li>
 *   <li>the Master, Worker and driver web UIs answer 401 without the owner's login, and the Master UI has
 *       no kill action;</li>
 * </ul>
 * and stops the cluster.
 */
@Tag("spark")
class AuthenticatedClusterMultiJvmTest {
    private static final Path SCRIPT = Path.of("..", "submit-scripts", "standalone-cluster").toAbsolutePath().normalize();

    @Test
    @Timeout(170)
    void onlyTheSecretsHolderGetsIn(@TempDir Path dir) throws Exception {
        String sparkHome = System.getenv("SPARK_HOME");
        assertNotNull(sparkHome, "surefire must set SPARK_HOME (spark-job/pom.xml)");
        String jvmOptions = System.getProperty("hessinv.sparkJvmOptions");
        assertNotNull(jvmOptions, "surefire must pass -Dhessinv.sparkJvmOptions (spark-job/pom.xml)");
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is missing");
        int[] ports = freePorts(3);
        int masterPort = ports[0];
        int masterUi = ports[1];
        int workerUi = ports[2];
        Path state = dir.resolve("state");
        Map<String, String> env = Map.of(
                "HESSINV_STANDALONE_DIR", state.toString(),
                "HESSINV_CLUSTER_CLASSPATH", Path.of(sparkHome, "jars", "*") + File.pathSeparator + Path.of("target", "classes").toAbsolutePath(),
                "HESSINV_MASTER_PORT", Integer.toString(masterPort),
                "HESSINV_MASTER_WEBUI_PORT", Integer.toString(masterUi),
                "HESSINV_WORKER_WEBUI_PORT", Integer.toString(workerUi),
                "HESSINV_WORKERS", "1",
                "HESSINV_WORKER_MEMORY", "1g",
                "HESSINV_START_TIMEOUT", "60");
        String masterUrl = "spark://127.0.0.1:" + masterPort;
        Throwable failure = null;
        try {
            Run start = run(env, 90, "start");
            assertEquals(0, start.code(), "standalone-cluster start failed:\n" + start.output());
            Path secretFile = state.resolve("cluster-secret.properties");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
            Properties cluster = load(secretFile);
            String secret = cluster.getProperty("spark.authenticate.secret");
            assertEquals(64, secret.length(), "a 256-bit hex secret");
            String owner = cluster.getProperty("spark.admin.acls");
            String login = owner + ":" + secret;
            assertTrue(!start.output().contains(secret), "start printed the secret");

            // The RPC endpoint of the Master: refused without the secret, reachable with it.
            Exception wrong = assertThrows(Exception.class, () -> reachMaster(masterPort, "true", "0".repeat(64)));
            Exception none = assertThrows(Exception.class, () -> reachMaster(masterPort, "false", null));
            reachMaster(masterPort, "true", secret);

            // The web UIs: 401 without the login, and no kill action on the Master even with it.
            assertEquals(401, http("GET", "http://127.0.0.1:" + masterUi + "/json/", null));
            assertEquals(401, http("GET", "http://127.0.0.1:" + workerUi + "/logPage/?appId=a&executorId=0&logType=stderr", null));
            assertEquals(401, http("GET", "http://127.0.0.1:" + masterUi + "/json/", owner + ":" + "0".repeat(64)));
            assertEquals(200, http("GET", "http://127.0.0.1:" + masterUi + "/json/", login));
            assertEquals(200, http("GET", "http://127.0.0.1:" + workerUi + "/", login));
            assertEquals(401, http("POST", "http://127.0.0.1:" + masterUi + "/app/kill/?id=x&terminate=true", null));
            int kill = http("POST", "http://127.0.0.1:" + masterUi + "/app/kill/?id=x&terminate=true", login);
            assertTrue(kill == 404 || kill == 405, "the Master UI's /app/kill/ answered " + kill);

            // A driver with the cluster's properties (as the launchers submit) runs a job on the cluster.
            SparkConf conf = new SparkConf().setMaster(masterUrl).setAppName("AuthenticatedClusterMultiJvmTest");
            cluster.stringPropertyNames().forEach(k -> conf.set(k, cluster.getProperty(k)));
            conf.set("spark.executor.extraClassPath", Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                            + Path.of("target", "test-classes").toAbsolutePath())
                    .set("spark.executor.extraJavaOptions", jvmOptions)
                    .set("spark.executor.memory", "512m")
                    .set("spark.ui.port", Integer.toString(freePorts(1)[0]))
                    .set("spark.port.maxRetries", "32");
            long driverPid = ProcessHandle.current().pid();
            try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                List<Long> pids = sc.parallelize(IntStream.range(0, 4).boxed().toList(), 2)
                        .map(i -> ProcessHandle.current().pid()).collect();
                assertEquals(4, pids.size());
                assertTrue(pids.stream().noneMatch(p -> p == driverPid), "the tasks ran in the driver");
                long sum = sc.parallelize(IntStream.rangeClosed(1, 100).boxed().toList(), 2).map(i -> (long) i * i).reduce(Long::sum);
                assertEquals(338350L, sum);
                String ui = sc.sc().uiWebUrl().get();
                assertEquals(401, http("GET", ui + "/jobs/", null));
                assertEquals(200, http("GET", ui + "/jobs/", login));
            }
            System.out.println("refused, wrong secret: " + chain(wrong));
            System.out.println("refused, no authentication: " + chain(none));
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            // Always stop the cluster; a failing stop must not hide the test's own failure.
            Run stop = run(env, 60, "stop");
            if (failure == null) {
                assertEquals(0, stop.code(), "standalone-cluster stop failed:\n" + stop.output());
                assertTrue(!Files.exists(state.resolve("cluster-secret.properties")), "stop left the secret behind");
            } else if (stop.code() != 0) {
                failure.addSuppressed(new AssertionError("standalone-cluster stop failed too:\n" + stop.output()));
            }
        }
    }

    /** Looks up the Master's RPC endpoint as an application's registration does, with its own security settings. */
    static void reachMaster(int port, String authenticate, String secret) {
        SparkConf conf = new SparkConf(false)
                .set("spark.authenticate", authenticate)
                .set("spark.network.crypto.enabled", authenticate)
                .set("spark.rpc.askTimeout", "10s")
                .set("spark.network.timeout", "10s");
        if (secret != null) conf.set("spark.authenticate.secret", secret);
        SecurityManager security = new SecurityManager(conf, Option.empty(), SecurityManager.$lessinit$greater$default$3());
        RpcEnv rpc = RpcEnv.create("client", "127.0.0.1", 0, conf, security, true);
        try {
            rpc.setupEndpointRef(new RpcAddress("127.0.0.1", port), "Master");
        } finally {
            rpc.shutdown();
        }
    }

    static String chain(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) s.append(s.length() == 0 ? "" : " <- ").append(t);
        return s.toString();
    }

    /** The status code of METHOD URL, with HTTP Basic LOGIN ("user:password") when not null. */
    static int http(String method, String url, String login) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        if (login != null) {
            c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
    }

    record Run(int code, String output) {}

    static Run run(Map<String, String> env, int timeoutSeconds, String command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("standalone-cluster-", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Run(-1, Files.readString(out) + "\n(timed out after " + timeoutSeconds + " s)");
            }
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            if (p.isAlive()) p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}

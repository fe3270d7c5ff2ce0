package org.hessinv.spark;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;
import java.util.Properties;

/**
 * HTTP Basic authentication for the web UIs of the standalone cluster that submit-scripts/standalone-cluster
 * starts (Master, Workers, and the driver UI of applications the launchers submit to it), installed through
 * {@code spark.ui.filters}. Without a filter Spark's UIs see no user ({@code getRemoteUser() == null}) and
 * its ACL check lets such requests through, so {@code spark.acls.enable} alone protects nothing.
 *
 * <p>A request passes only with user name {@code user} (the cluster owner) and, as password, the cluster's
 * secret ({@code spark.authenticate.secret} of the properties file {@code secretFile}); it then carries that
 * user as remote user, which Spark's ACLs ({@code spark.acls.enable}, {@code spark.admin.acls}) check. Every
 * other request gets 401. Filter parameters (Spark conf keys):
 * {@code spark.org.hessinv.spark.ClusterAuthFilter.param.secretFile} and {@code ...param.user}.
 *
 * <p>Basic authentication over plain HTTP: the password crosses the loopback interface unencrypted, which
 * other local users cannot sniff without root. Not meant for UIs reachable over a network.
 */
public final class ClusterAuthFilter implements Filter {
    static final String REALM = "hessinv standalone cluster";

    private byte[] expected;
    private String user;

    @Override public void init(FilterConfig config) throws ServletException {
        String file = config.getInitParameter("secretFile");
        user = config.getInitParameter("user");
        if (file == null || user == null || user.isEmpty()) {
            throw new ServletException("ClusterAuthFilter needs the parameters secretFile and user");
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new ServletException("ClusterAuthFilter cannot read the secret file " + file, e);
        }
        String secret = props.getProperty("spark.authenticate.secret", "").trim();
        if (secret.isEmpty()) throw new ServletException("no spark.authenticate.secret in " + file);
        expected = (user + ":" + secret).getBytes(StandardCharsets.UTF_8);
    }

    /** True when the Authorization header is Basic with the owner's name and the cluster secret. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) return false;
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }

    @Override public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) req;
        if (!accepts(http.getHeader("Authorization"))) {
            HttpServletResponse out = (HttpServletResponse) res;
            out.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            out.sendError(HttpServletResponse.SC_UNAUTHORIZED, "log in as " + user + " with the cluster secret");
            return;
        }
        String name = user;
        chain.doFilter(new HttpServletRequestWrapper(http) {
            @Override public String getRemoteUser() { return name; }
            @Override public Principal getUserPrincipal() { return () -> name; }
            @Override public String getAuthType() { return HttpServletRequest.BASIC_AUTH; }
        }, res);
    }

    @Override public void destroy() {}
}

package io.qpart.cli.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where a report came from: the exact command, the git commit of the working tree (with
 * {@code +dirty} when tracked files differ from it), SHA-256 hashes of the inputs, the seeds and
 * the versions of what ran.
 */
public record Provenance(String command, String gitCommit, String createdUtc, Map<String, String> hashes, Map<String, String> seeds,
                         Map<String, String> versions) {
    public Provenance {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(gitCommit, "gitCommit");
        Objects.requireNonNull(createdUtc, "createdUtc");
        hashes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hashes));
        seeds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seeds));
        versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }

    /** Collects the commit, time and versions; {@code files} are hashed under their given labels. */
    public static Provenance collect(String command, Map<String, Path> files, Map<String, String> extraHashes, Map<String, String> seeds,
                                     String qpartVersion) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            hashes.put(f.getKey(), sha256(f.getValue()));
        }
        hashes.putAll(extraHashes);
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("qpart", qpartVersion);
        versions.put("java", Runtime.version().toString());
        versions.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return new Provenance(command, currentGitCommit(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), hashes, seeds, versions);
    }

    /** SHA-256 of a file's bytes, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** {@code git rev-parse HEAD} of the current directory, {@code +dirty} appended when tracked files changed; "unknown" outside git. */
    public static String currentGitCommit() {
        String head = git("rev-parse", "HEAD");
        if (head == null || !head.matches("[0-9a-f]{40}")) {
            return "unknown (not a git checkout, or git is not installed)";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return status == null || status.isEmpty() ? head : head + "+dirty";
    }

    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** As a JSON-ready map. */
    public Map<String, Object> toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("command", command);
        o.put("gitCommit", gitCommit);
        o.put("created", createdUtc);
        o.put("sha256", hashes);
        o.put("seeds", seeds);
        o.put("versions", versions);
        return o;
    }

    /** A command line as one shell-safe string (arguments with spaces or quotes are single-quoted). */
    public static String commandLine(String program, java.util.List<String> args) {
        StringBuilder sb = new StringBuilder(program);
        for (String a : args) {
            sb.append(' ');
            sb.append(a.matches("[A-Za-z0-9_./:=,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}

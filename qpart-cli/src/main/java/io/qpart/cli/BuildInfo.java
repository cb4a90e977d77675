package io.qpart.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.concurrent.TimeUnit;

/** Where the running code comes from, for provenance (STYLE: tables record the git commit). */
final class BuildInfo {
    private BuildInfo() {
    }

    /**
     * The git commit of the checkout the running classes were built in ({@code git describe
     * --always --dirty --abbrev=40}: the full hash, with "-dirty" when the working tree has
     * uncommitted changes), or null when that is not a git checkout or git cannot be run.
     */
    static String gitCommit() {
        Path dir = codeDirectory();
        if (dir == null) {
            return null;
        }
        try {
            Process p = new ProcessBuilder("git", "-C", dir.toString(), "describe", "--always", "--dirty", "--abbrev=40")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                return null;
            }
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}(-dirty)?") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The folder holding the jar or the class folder the CLI runs from. */
    private static Path codeDirectory() {
        CodeSource src = BuildInfo.class.getProtectionDomain().getCodeSource();
        if (src == null) {
            return null;
        }
        try {
            Path p = Path.of(src.getLocation().toURI());
            Path dir = Files.isDirectory(p) ? p : p.getParent();
            return dir != null && Files.isDirectory(dir) ? dir : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}

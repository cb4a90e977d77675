package io.qpart.core.cost;

/**
 * The edge server that runs the tail (SPEC §5).
 *
 * @param name           a label, non-blank
 * @param macsPerSecond  F_srv, {@code > 0}
 * @param pricePerSecond π, cost units per second of server compute, {@code >= 0}
 */
public record ServerProfile(String name, double macsPerSecond, double pricePerSecond) {

    public ServerProfile {
        Checks.name("server", name);
        Checks.positive("server '" + name + "' macsPerSecond", macsPerSecond);
        Checks.nonNegative("server '" + name + "' pricePerSecond", pricePerSecond);
    }
}

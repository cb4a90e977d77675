/**
 * Pieces the experiment reports and the demo share: a CSV writer, SVG plots drawn directly (no
 * plotting library), a self-contained HTML page builder and the provenance block (git commit,
 * hashes, seeds, versions, the exact command). Plots carry their units in the axis titles;
 * rates are in bit/s, times in seconds, energies in joules, payloads in bytes.
 */
package io.qpart.cli.report;

/**
 * The offline table (SPEC §7, Algorithm 1's result) and the online lookup (Algorithm 2), as
 * numbers only: per cut, the verified bit assignments for every accuracy level of the grid,
 * the exact payload, the accuracy-model gains the baselines need; and the planner that turns a
 * query's cost model into a decision. Drops are fractions (0.01 = 1 percentage point), sizes
 * bytes, MACs per sample.
 */
package io.qpart.core.table;

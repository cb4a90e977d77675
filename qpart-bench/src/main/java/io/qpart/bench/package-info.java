/**
 * JMH benchmarks of QPART-J's hot paths. Every benchmark that reports a speed has a plain array
 * copy of the same data in the same class, so results can be quoted as ratios to the copy
 * measured in the same run (see docs/BENCHMARKS.md). Sizes are element counts; JMH reports
 * operations per second, one operation being one whole array.
 */
package io.qpart.bench;

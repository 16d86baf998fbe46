/**
 * Evaluation reports: {@link org.jbert.eval.report.Report} collects sections of pass/fail {@link
 * org.jbert.eval.report.Check}s, metrics, tables and PNG plots, and writes {@code report.md} with a machine-readable
 * {@code report.json} beside it.
 */
package org.jbert.eval.report;

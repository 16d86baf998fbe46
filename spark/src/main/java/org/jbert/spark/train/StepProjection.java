package org.jbert.spark.train;

import org.jbert.core.JbertException;

/**
 * A data-parallel step on {@code N} nodes projected from one measured configuration (on N0 nodes), for either
 * reduction of {@link SparkDataParallel}: the driver broadcasts the weights, every node computes its micro-batches,
 * and the gradients are summed. With M micro-batches of b examples per node and averaging step:
 *
 * <pre>
 *   compute(M)  = M * b * c                      c: measured compute seconds per example on one node
 *   DRIVER (the driver collects one gradient per node and sums them; transfer and reduction grow with N):
 *   transfer(N) = j + N * G / R                  j: an empty Spark job's wall time (scheduling, task launch),
 *                                                G: one node's gradient bytes, R: measured collect rate (bytes/s)
 *   reduce(N)   = N * r                          r: measured driver reduction seconds per gradient
 *   SHUFFLE (reduce-scatter: each node writes its gradient in N slices, fetches its slice from the other N - 1
 *   nodes and sums it; the driver collects the N summed slices, one gradient):
 *   transfer(N) = j + (N0 * G / R) * f(N) / f(N0),  f(N) = 2 (N - 1) / N + 1   gradients a node (and the driver)
 *                                                moves: f grows from 2 (N = 2) to 3, so the transfer stays bounded
 *   reduce(N)   = N0 * r                         the driver assembling the slices: one gradient, whatever N
 *   step(N, M)  = broadcast + compute(M) + transfer(N) + reduce(N) + update
 *   share       = (broadcast + transfer(N)) / step(N, M)      the time spent moving weights and gradients
 * </pre>
 *
 * The broadcast is taken as constant in N (Spark's torrent broadcast: executors fetch the pieces from each other, the
 * driver serializes once) and R as what the measurement saw (the bytes over the measured transfer time less j; in
 * {@code local[N]} there is no network: on a cluster use the smaller of R and the driver's link). The smallest M that
 * keeps the share under a bound s follows from
 * share &lt; s &lt;=&gt; M * b * c &gt; (broadcast + transfer(N)) (1 - s) / s - reduce(N) - update.
 *
 * @param nodes N
 * @param microBatches M, micro-batches per node per averaging step
 * @param examples examples per averaging step, N * M * b
 * @param computeSeconds compute(M)
 * @param transferSeconds transfer(N)
 * @param stepSeconds step(N, M)
 * @param share (broadcast + transfer) / step
 */
public record StepProjection(int nodes, int microBatches, long examples, double computeSeconds,
    double transferSeconds, double stepSeconds, double share) {

  /**
   * One measured configuration.
   *
   * @param computePerExample c, seconds of forward + backward per example on one node
   * @param microBatchSize b, examples per micro-batch on one node
   * @param gradientBytes G, one node's gradient as collected
   * @param bytesPerSecond R, gradient bytes collected per second of transfer
   * @param jobSeconds j, the fixed cost of a Spark job (an empty job's wall time)
   * @param broadcastSeconds the weights broadcast per step
   * @param reducePerGradient r, driver seconds to add one node's gradient (and average)
   * @param updateSeconds clipping + AdamW on the driver per step
   * @param reduction the reduction measured (and projected)
   * @param measuredNodes N0, the nodes (workers) of the measurement
   */
  public record Measured(double computePerExample, int microBatchSize, double gradientBytes, double bytesPerSecond,
      double jobSeconds, double broadcastSeconds, double reducePerGradient, double updateSeconds,
      SparkDataParallel.Reduction reduction, int measuredNodes) {
    /** A measurement of the driver reduction. */
    public Measured(double computePerExample, int microBatchSize, double gradientBytes, double bytesPerSecond,
        double jobSeconds, double broadcastSeconds, double reducePerGradient, double updateSeconds) {
      this(computePerExample, microBatchSize, gradientBytes, bytesPerSecond, jobSeconds, broadcastSeconds,
          reducePerGradient, updateSeconds, SparkDataParallel.Reduction.DRIVER, 1);
    }

    public Measured {
      if (reduction == null || measuredNodes < 1) {
        throw new JbertException("step projection: reduction " + reduction + " measured on " + measuredNodes
            + " nodes; expected a reduction and at least 1 node");
      }
      if (!(computePerExample > 0) || microBatchSize < 1 || !(gradientBytes >= 0) || !(bytesPerSecond > 0)
          || !(jobSeconds >= 0) || !(broadcastSeconds >= 0) || !(reducePerGradient >= 0) || !(updateSeconds >= 0)) {
        throw new JbertException("step projection: compute per example " + computePerExample + " s, micro-batch "
            + microBatchSize + ", gradient " + gradientBytes + " bytes, rate " + bytesPerSecond + " bytes/s, job "
            + jobSeconds + " s, broadcast " + broadcastSeconds + " s, reduce " + reducePerGradient + " s, update "
            + updateSeconds + " s; expected compute and rate > 0, micro-batch >= 1, the rest >= 0");
      }
    }
  }

  /** Steps per second. */
  public double stepsPerSecond() {
    return 1 / stepSeconds;
  }

  /** Examples per second. */
  public double examplesPerSecond() {
    return examples / stepSeconds;
  }

  /** The gradient transfer time on {@code nodes} nodes, beyond the fixed cost of a job (see the class comment). */
  static double moving(Measured m, int nodes) {
    if (m.reduction() == SparkDataParallel.Reduction.DRIVER) return nodes * m.gradientBytes() / m.bytesPerSecond();
    return m.measuredNodes() * m.gradientBytes() / m.bytesPerSecond() * gradientsMoved(nodes)
        / gradientsMoved(m.measuredNodes());
  }

  /** f(N): gradients a node moves in a shuffle reduction (out and in), plus the one the driver collects. */
  static double gradientsMoved(int nodes) {
    return 2.0 * (nodes - 1) / nodes + 1;
  }

  /** The driver's reduction time on {@code nodes} nodes. */
  static double reduce(Measured m, int nodes) {
    return m.reduction() == SparkDataParallel.Reduction.DRIVER ? nodes * m.reducePerGradient()
        : m.measuredNodes() * m.reducePerGradient();
  }

  /** The step on {@code nodes} nodes with {@code microBatches} micro-batches each. */
  public static StepProjection at(Measured m, int nodes, int microBatches) {
    if (nodes < 1 || microBatches < 1) {
      throw new JbertException("step projection: " + nodes + " nodes, " + microBatches
          + " micro-batches; expected both >= 1");
    }
    double compute = microBatches * m.microBatchSize() * m.computePerExample();
    double transfer = m.jobSeconds() + moving(m, nodes);
    double step = m.broadcastSeconds() + compute + transfer + reduce(m, nodes) + m.updateSeconds();
    return new StepProjection(nodes, microBatches, (long) nodes * microBatches * m.microBatchSize(), compute, transfer,
        step, (m.broadcastSeconds() + transfer) / step);
  }

  /** The step on {@code nodes} nodes with the fewest micro-batches per node that keep the share under {@code bound}. */
  public static StepProjection smallestUnder(Measured m, int nodes, double bound) {
    if (!(bound > 0 && bound < 1)) throw new JbertException("step projection: share bound " + bound
        + "; expected 0 < bound < 1");
    StepProjection one = at(m, nodes, 1);
    double moving = m.broadcastSeconds() + one.transferSeconds();
    double other = reduce(m, nodes) + m.updateSeconds();
    double q = (moving * (1 - bound) / bound - other) / (m.microBatchSize() * m.computePerExample());
    long micro = Math.max(1, (long) Math.floor(q) + 1); // the smallest integer M > q
    if (micro > Integer.MAX_VALUE) throw new JbertException("step projection: " + micro + " micro-batches needed");
    return at(m, nodes, (int) micro);
  }
}

package org.jbert.spark.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a data-parallel step's time goes, measured where it happens and summed over the Spark jobs of one optimizer
 * step ({@code grad_accum_steps} jobs), in seconds:
 *
 * <ul>
 *   <li>{@value #BROADCAST}: the driver flattening the weights and {@code sc.broadcast}, plus what the workers' first
 *       {@code value()} read added to the job's critical path (the slowest worker's read + compute minus the largest
 *       compute; never below 0);
 *   <li>{@value #BROADCAST_READ}: the longest first {@code value()} read of any worker (information; part of the
 *       above only as far as it delayed the slowest worker);
 *   <li>{@value #COMPUTE}: the largest forward + backward time of any worker (its micro-batches, measured in the task);
 *   <li>{@value #TRANSFER}: the job's wall time minus the slowest worker's read + compute: scheduling, shipping the
 *       tasks, assigning the weights to the replica, packing the gradient and collecting it on the driver (and, in a
 *       worker's first step, building its replica); with the shuffle reduction also the shuffle and the reduce tasks'
 *       sums;
 *   <li>{@value #REDUCE}: the driver summing the workers' gradients and averaging them by example count (with the
 *       shuffle reduction: assembling the summed slices);
 *   <li>{@value #GRAD_MB}: the gradient payload the workers sent (4-byte floats, all workers), in MB (10^6 bytes).
 * </ul>
 *
 * So broadcast + compute + transfer = the driver's broadcast plus the jobs' wall time, and with reduce they never
 * exceed the step. Not thread-safe: one driver thread runs the steps.
 */
public final class StepTimings {
  public static final String BROADCAST = "dist_broadcast_s";
  public static final String BROADCAST_READ = "dist_broadcast_read_s";
  public static final String COMPUTE = "dist_compute_s";
  public static final String TRANSFER = "dist_transfer_s";
  public static final String REDUCE = "dist_reduce_s";
  public static final String GRAD_MB = "dist_grad_mb";
  /** Spark jobs in the step (one per micro-batch the trainer hands over). */
  public static final String JOBS = "dist_jobs";

  /** What one worker task measured, in seconds: its first read of the broadcast weights, its forward + backward. */
  record Worker(double readSeconds, double computeSeconds) implements Serializable {}

  private double broadcast;
  private double read;
  private double compute;
  private double transfer;
  private double reduce;
  private long bytes;
  private int jobs;

  /**
   * Adds one job: the driver's flatten + broadcast time, the job's wall time (submit to collected), what its workers
   * measured (tasks with no rows of the batch included, as zeros), the gradient bytes collected and the reduction
   * time.
   */
  void add(double driverBroadcast, double jobWall, List<Worker> workers, long gradBytes, double reduceSeconds) {
    double maxRead = 0, maxCompute = 0, slowest = 0;
    for (Worker w : workers) {
      maxRead = Math.max(maxRead, w.readSeconds());
      maxCompute = Math.max(maxCompute, w.computeSeconds());
      slowest = Math.max(slowest, w.readSeconds() + w.computeSeconds());
    }
    slowest = Math.min(slowest, jobWall); // a guard: task durations come from the executors' clocks
    maxCompute = Math.min(maxCompute, slowest);
    broadcast += driverBroadcast + (slowest - maxCompute);
    read += maxRead;
    compute += maxCompute;
    transfer += jobWall - slowest;
    reduce += reduceSeconds;
    bytes += gradBytes;
    jobs++;
  }

  /** The sums since the last call, by metrics key ({@link #JOBS} > 0 when anything ran), then starts over. */
  Map<String, Double> drain() {
    if (jobs == 0) return Map.of();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(BROADCAST, broadcast);
    m.put(BROADCAST_READ, read);
    m.put(COMPUTE, compute);
    m.put(TRANSFER, transfer);
    m.put(REDUCE, reduce);
    m.put(GRAD_MB, bytes / 1e6);
    m.put(JOBS, (double) jobs);
    broadcast = read = compute = transfer = reduce = 0;
    bytes = 0;
    jobs = 0;
    return m;
  }
}

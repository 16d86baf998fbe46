package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jbert.spark.cli.JobJarMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The job jar's shade configuration (this module's {@code job-jar} profile) is what README's Apache Spark section
 * says, and its Main-Class runs {@code jbert spark}. The built jar itself is checked by {@code .ci/job-jar} (its
 * listing, and spark-submit runs compared with {@code jbert embed}/{@code predict}), which is too slow for this suite.
 */
class JobJarTest {
  static Element shade;
  static String readme;
  static String version;

  @BeforeAll
  static void read() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    version = text(children(pom.getDocumentElement(), "parent").get(0), "version");
    Element profile = null;
    for (Element p : children(pom.getDocumentElement(), "profiles", "profile")) {
      if (text(p, "id").equals("job-jar")) profile = p;
    }
    assertTrue(profile != null, "spark/pom.xml has no job-jar profile");
    for (Element p : children(profile, "build", "plugins", "plugin")) {
      if (text(p, "artifactId").equals("maven-shade-plugin")) shade = p;
    }
    assertTrue(shade != null, "the job-jar profile has no maven-shade-plugin");
    readme = Files.readString(Path.of("..", "README.md"));
  }

  @Test
  void leavesOutOtherNativesTensorFlowAndTheBundledModel() {
    List<String> excludes = texts(config(), "artifactSet", "excludes", "exclude");
    assertTrue(excludes.contains("org.nd4j:nd4j-native:jar:${javacpp.platform}-onednn-avx512"), excludes.toString());
    assertTrue(excludes.contains("com.robrua.nlp.models:*"), excludes.toString());
    assertTrue(excludes.contains("org.jbert:jbert-tf-reference"), excludes.toString());
    assertTrue(excludes.contains("org.tensorflow:*"), excludes.toString());
    List<String> filtered = new ArrayList<>();
    for (Element f : children(config(), "filters", "filter")) {
      if (text(f, "artifact").equals("*:*")) filtered.addAll(texts(f, "excludes", "exclude"));
    }
    assertTrue(filtered.containsAll(List.of("META-INF/*.SF", "META-INF/*.DSA", "META-INF/*.RSA")),
        "signatures stripped: " + filtered);
  }

  @Test
  void mergesServiceFilesAndNamesTheMainClass() throws Exception {
    List<String> transformers = new ArrayList<>();
    String mainClass = null;
    for (Element t : children(config(), "transformers", "transformer")) {
      String impl = t.getAttribute("implementation");
      transformers.add(impl.substring(impl.lastIndexOf('.') + 1));
      if (impl.endsWith(".ManifestResourceTransformer")) mainClass = text(t, "mainClass");
    }
    assertTrue(transformers.contains("ServicesResourceTransformer"), transformers.toString());
    assertEquals(JobJarMain.class.getName(), mainClass);
    JobJarMain.class.getMethod("main", String[].class);
  }

  @Test
  void readmeNamesTheBuildAndTheJar() {
    assertEquals("job", text(config(), "shadedClassifierName"));
    assertTrue(readme.contains("mvn -B -Pjob-jar -DskipTests -pl spark -am package"), "README's build command");
    assertTrue(readme.contains("spark/target/jbert-spark-" + version + "-job.jar"), "README's jar path");
    assertTrue(readme.contains("spark.executorEnv.OMP_NUM_THREADS=") && readme.contains("spark.executor"
        + ".memoryOverhead=") && readme.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes="), "README's cluster line");
  }

  @Test
  void mainClassRunsJbertSpark() {
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      JobJarMain.main(new String[] {"embed", "--help"});
    } finally {
      System.setOut(out);
    }
    String usage = buf.toString(StandardCharsets.UTF_8);
    assertTrue(usage.startsWith("Usage: jbert spark embed"), usage);
  }

  private Element config() {
    return children(shade, "executions", "execution", "configuration").get(0);
  }

  /** The elements at {@code path} below {@code e}, each step a child element name. */
  private static List<Element> children(Element e, String... path) {
    List<Element> level = List.of(e);
    for (String name : path) {
      List<Element> next = new ArrayList<>();
      for (Element x : level) {
        NodeList kids = x.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
          Node k = kids.item(i);
          if (k instanceof Element c && c.getTagName().equals(name)) next.add(c);
        }
      }
      level = next;
    }
    return level;
  }

  private static List<String> texts(Element e, String... path) {
    return children(e, path).stream().map(x -> x.getTextContent().trim()).toList();
  }

  private static String text(Element e, String name) {
    List<Element> c = children(e, name);
    return c.isEmpty() ? "" : c.get(0).getTextContent().trim();
  }
}

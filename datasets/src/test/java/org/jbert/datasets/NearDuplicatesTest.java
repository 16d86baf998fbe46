package org.jbert.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {
  private static final String LONG = "Dear friend, we are pleased to offer you an exclusive opportunity to refinance"
      + " your home at the lowest rates in forty years. Our lenders compete for your business, so you save"
      + " thousands on every payment. Fill out the short form below and a specialist will contact you within"
      + " one business day with a free quote. There is no obligation and no cost to apply today.";

  @Test
  void normalizationDropsTagsCaseNumbersUrlsAndAddresses() {
    assertEquals("call 0 0 now urlx or emailx 0 0",
        NearDuplicates.normalize("<p>CALL 555-1234 <b>now</b>: http://x.com/a?b=1 or Sales@Spam.COM!</p> 10 2"));
    assertEquals("", NearDuplicates.normalize("<html><br></html>  \n"));
  }

  @Test
  void joinsExactNormalizedAndNearDuplicatesOnly() {
    String near = LONG.replace("forty years", "thirty years");
    List<String> texts = List.of(
        LONG,                                            // 0
        "Meeting moved to 3pm, see you there.",         // 1
        LONG,                                            // 2: exact duplicate of 0
        "MEETING moved to 4pm -- see you there!",       // 3: normalized duplicate of 1
        near,                                            // 4: one word changed: 5 of ~66 shingles differ
        "Your build failed on branch main; the log is attached below.", // 5
        "Completely different words about gardening, tomatoes and soil in the spring season.");  // 6
    NearDuplicates.Clusters c = NearDuplicates.cluster(texts);
    assertArrayEquals(new int[] {0, 1, 0, 1, 0, 5, 6}, c.cluster());
    assertEquals(1, c.exactGroups());
    assertEquals(1, c.exactDuplicates());
    assertEquals(2, c.duplicateClusters());
    assertEquals(5, c.textsInDuplicateClusters());
    assertEquals(3, c.largest());
    assertEquals(4, c.count());

    double j = NearDuplicates.jaccard(NearDuplicates.shingles(NearDuplicates.words(LONG)),
        NearDuplicates.shingles(NearDuplicates.words(near)));
    assertEquals(true, j >= NearDuplicates.DEFAULT_THRESHOLD && j < 1, "Jaccard " + j);
    // At a threshold above their similarity the near duplicate stands alone; the exact one does not.
    assertArrayEquals(new int[] {0, 1, 0, 1, 4, 5, 6}, NearDuplicates.cluster(texts, Math.min(1.0, j + 0.01)).cluster());
  }
}

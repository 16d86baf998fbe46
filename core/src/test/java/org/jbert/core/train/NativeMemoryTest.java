package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * glibc keeps freed blocks that are not at the top of its heap; {@link NativeMemory#trim()} gives their pages back.
 * The pattern is a training step's: many blocks malloc'd and touched, most freed, a few still live above them.
 */
class NativeMemoryTest {
  private static final long BLOCK = 64 << 10; // below glibc's mmap threshold: served from the heap
  private static final int BLOCKS = 6144; // 384 MB

  @Test
  void trimGivesFreedHeapPagesBack() {
    List<Pointer> blocks = new ArrayList<>();
    for (int i = 0; i < BLOCKS; i++) {
      Pointer p = Pointer.malloc(BLOCK);
      Pointer.memset(p, 1, BLOCK);
      blocks.add(p);
    }
    List<Pointer> kept = new ArrayList<>();
    for (int i = 0; i < BLOCKS; i++) {
      if (i % 64 == 63) kept.add(blocks.get(i)); // every 64th block stays live, pinning the heap above the holes
      else Pointer.free(blocks.get(i));
    }
    try {
      long held = Pointer.physicalBytes();
      long trimsBefore = NativeMemory.trims();
      assertTrue(NativeMemory.trim(), "glibc has malloc_trim");
      long after = Pointer.physicalBytes();
      assertEquals(trimsBefore + 1, NativeMemory.trims());
      // 378 MB were freed; without the trim glibc keeps nearly all of it resident
      assertTrue(held - after > 200L << 20, "trim gave back " + ((held - after) >> 20) + " MB of 378 MB freed");
    } finally {
      kept.forEach(Pointer::free);
    }
  }

  @Test
  void releaseFollowsThePolicy() {
    String old = System.getProperty(NativeMemory.PROPERTY);
    try {
      System.setProperty(NativeMemory.PROPERTY, "off");
      assertFalse(NativeMemory.release());
      System.setProperty(NativeMemory.PROPERTY, "always");
      assertTrue(NativeMemory.release());
      System.setProperty(NativeMemory.PROPERTY, "auto");
      assertEquals(Pointer.physicalBytes() > NativeMemory.trimThreshold(), NativeMemory.release());
      System.setProperty(NativeMemory.PROPERTY, "sometimes");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, NativeMemory::release);
      assertEquals("-Djbert.malloc_trim=sometimes; expected auto, always or off", e.getMessage());
    } finally {
      if (old == null) System.clearProperty(NativeMemory.PROPERTY);
      else System.setProperty(NativeMemory.PROPERTY, old);
    }
  }
}

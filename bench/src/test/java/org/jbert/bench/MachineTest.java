package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** /proc/cpuinfo parsing (the machine section of the report). */
class MachineTest {
  @Test
  void cpuInfoOfTwoProcessors() {
    String one = """
        processor\t: %d
        vendor_id\t: AuthenticAMD
        model name\t: AMD EPYC 9R14 96-Core Processor
        physical id\t: 0
        cpu cores\t: 1
        flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_bf16 avx512_vnni hypervisor

        """;
    Machine.CpuInfo c = Machine.parseCpuInfo(one.formatted(0) + one.formatted(1));
    assertEquals("AMD EPYC 9R14 96-Core Processor", c.model());
    assertEquals(2, c.logicalCpus());
    assertEquals(1, c.coresPerSocket());
    assertEquals(1, c.sockets());
    assertEquals(List.of("avx", "avx2", "avx512_bf16", "avx512_vnni", "avx512bw", "avx512f", "fma", "sse4_2"),
        c.simdFlags());
  }

  @Test
  void missingFieldsAreUnknown() {
    Machine.CpuInfo c = Machine.parseCpuInfo("something else\n");
    assertEquals("unknown", c.model());
    assertEquals(0, c.logicalCpus());
    assertEquals(List.of(), c.simdFlags());
  }
}

"""The test session's JVM really runs with tools/jvm.py's options: C1 only, and a code cache
large enough that the compiler is not disabled halfway through a long session."""

from __future__ import annotations

MIB = 1024 * 1024


def _vm_option(spark, name: str) -> str:
    jvm = spark.sparkContext._jvm
    bean_class = jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    bean = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(bean_class)
    return bean.getVMOption(name).getValue()


def test_the_jit_keeps_a_tiered_jvms_code_cache(spark) -> None:
    assert _vm_option(spark, "TieredStopAtLevel") == "1"
    # Without -XX:ReservedCodeCacheSize the C1-only JVM would reserve 48 MiB.
    assert int(_vm_option(spark, "ReservedCodeCacheSize")) >= 240 * MIB
    assert _vm_option(spark, "UseCodeCacheFlushing") == "true"

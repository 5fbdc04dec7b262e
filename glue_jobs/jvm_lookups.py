"""Remember the JVM classes and static methods PySpark looks up by name.

Every ``F.col``, ``F.lit`` or ``F.when`` resolves ``functions`` and then its method by
name before calling it: py4j asks the JVM both times, so one column expression costs
three round trips where one would do, and a run of the jobs builds thousands of them.
py4j caches the methods of an object (``JavaObject``) but not the classes a ``JVMView``
resolves nor the static members of a class (``JavaClass``); this module adds those two
caches, nothing else.

Only what cannot change while the JVM lives is remembered: a name that resolved to a class
and a class member that is a method or a nested class. Packages (a name resolves to a
package until an import makes it a class) and static fields (values) are asked every time,
as before. Each cache lives on its view or class object, so a new gateway (a new session
after ``stop()``) starts empty.

Why not a library: PySpark and py4j offer no such switch; this is a two-method wrapper
applied once per process (``install``), checked by tests/unit/glue_jobs/test_jvm_lookups.py.
"""

from __future__ import annotations

from typing import Any

from py4j.java_gateway import JavaClass, JavaMember, JVMView

_view_lookup = JVMView.__getattr__
_class_lookup = JavaClass.__getattr__


def _cached_view_lookup(self: JVMView, name: str) -> Any:
    cache = self.__dict__.setdefault("_lookups", {})
    found = cache.get(name)
    if found is None:
        found = _view_lookup(self, name)
        if isinstance(found, JavaClass):
            cache[name] = found
    return found


def _cached_class_lookup(self: JavaClass, name: str) -> Any:
    if name.startswith("__"):  # Python's own protocol lookups: py4j raises for them
        return _class_lookup(self, name)
    cache = self.__dict__.setdefault("_lookups", {})
    found = cache.get(name)
    if found is None:
        found = _class_lookup(self, name)
        if isinstance(found, (JavaMember, JavaClass)):
            cache[name] = found
    return found


def install() -> None:
    """Add the caches (idempotent)."""
    JVMView.__getattr__ = _cached_view_lookup  # type: ignore[method-assign]
    JavaClass.__getattr__ = _cached_class_lookup  # type: ignore[method-assign]


def installed() -> bool:
    return JVMView.__getattr__ is _cached_view_lookup

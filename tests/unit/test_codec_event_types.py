"""The journal decodes each event type into the class the events module names, never a stale twin."""

import subprocess
import sys

# dataclass(slots=True) replaces each event class by a new one; the class it replaced stays among
# Event.__subclasses__() until a collection frees it, which never happens with the collector off (or
# after gc.freeze, as the server does). Import the events in that state, in a process of their own.
CHECK = """
import gc
gc.disable()
from ordergate.adapters.store.codec import event_types
from ordergate.domain import events as ev
wrong = sorted(name for name, cls in event_types().items() if getattr(ev, name) is not cls)
print(",".join(wrong))
"""


def test_event_types_when_replaced_classes_survive_then_each_name_maps_to_the_events_module_class() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.strip() == ""

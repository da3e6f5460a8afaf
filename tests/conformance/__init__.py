"""The venue conformance kit: a scriptable venue, schedules of venue behaviour, and the invariants every run keeps."""

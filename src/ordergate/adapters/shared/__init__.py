"""Redis: what several instances share (the event stream, rate-limit buckets, the quote cache)."""

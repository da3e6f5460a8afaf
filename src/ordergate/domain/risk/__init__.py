"""Pre-trade risk: limits, usage folded from events, one small rule per file, and the engine that runs them."""

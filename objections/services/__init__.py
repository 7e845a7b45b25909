"""Use cases: one verb-named function each; they flush, never commit."""

"""Data files: their schemas, reading and writing them, the bundled sample and its generator."""

"""Demo data in the sources' own wire formats, so the pipeline can run without credentials."""

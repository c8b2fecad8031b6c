"""Demo data from the source document, loaded by `flask demo load`."""

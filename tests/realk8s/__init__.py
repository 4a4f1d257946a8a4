"""The real control plane built from Go modules, and the tests that need it alone."""

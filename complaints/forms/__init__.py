"""Forms of the fifth category."""

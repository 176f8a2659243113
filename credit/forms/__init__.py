"""Forms of the credit archive, split like its views: ``applications``, ``ledger`` and ``reports``."""

"""The ``lexdesk`` command line: one module per command group, mounted by ``main``."""

"""The ``arbig`` command line."""

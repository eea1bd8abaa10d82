"""ARBIG: a self-hosted trading console for a single futures trader."""

__version__ = "0.1.0"

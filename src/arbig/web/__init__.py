"""The web service: REST under /api/v1, the /ws push endpoint and the console's files."""

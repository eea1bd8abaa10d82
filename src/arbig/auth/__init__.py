"""The operator's credential: password hash, browser sessions, API tokens."""

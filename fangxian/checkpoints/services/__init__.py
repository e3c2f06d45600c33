"""Writes of the checkpoints app, by part: gates, passes, scans, visitors, retention."""

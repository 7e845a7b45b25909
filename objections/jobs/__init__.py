"""Scheduled work: the scheduler process (scheduler.py) and the module-level jobs it runs (tasks.py)."""

"""Browser journeys in Chromium."""

"""Flask app: browser UI and JSON API over the passage index."""

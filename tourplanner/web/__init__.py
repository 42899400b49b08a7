"""HTML blueprints."""

"""Commands of this area register on runback.cli._app.app (filled in by its issue)."""

"""Report Search, the application: the engine, question answering, the web app and the CLI.

Layers, top to bottom (enforced by the import-linter contracts in pyproject.toml):
`search_app.cli` -> `search_app.web` -> `search_app.qa` -> `search_app.engine` -> `indexer`.
"""

"""Ingestion: files -> documents -> passages with metadata -> Whoosh index."""

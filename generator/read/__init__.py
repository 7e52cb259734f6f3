"""Readers: files -> raw records (text decoding, YAML with line numbers, front matter, CSV)."""

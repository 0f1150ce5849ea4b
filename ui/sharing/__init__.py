"""Sharing: the read-only share view, managing share links, export downloads."""

"""Channels: each turns a messenger's updates into core events and renders the core's replies."""

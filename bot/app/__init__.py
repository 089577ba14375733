"""The composition root: settings → storage → services → kernel → channels.

The CLI, serving and the web server live here; it is the only package that knows every
other one.
"""

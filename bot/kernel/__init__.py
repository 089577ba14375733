"""The dispatcher (one event's pipeline), the dialog engine, routers and the Context a
handler receives."""

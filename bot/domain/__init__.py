"""Rules and value types without I/O: events and replies, roles and access, dates and
periods, text, translations, the clock."""

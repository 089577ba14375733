"""What the bot does beside answering: the outbox, reminders, the digest, posted lists,
exports, the inbox; each built with only what it uses."""

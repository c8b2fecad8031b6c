"""The email outbox, reminders and preferences."""

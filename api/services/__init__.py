"""Services: own the transaction (commit once); handlers and CLI commands call these."""

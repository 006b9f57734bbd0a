"""smarketing."""

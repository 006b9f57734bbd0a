"""The Postgres warehouse: where it is (configured or embedded) and how to connect."""

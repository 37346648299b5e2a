"""Platform administration: account approval, organisations, the audit log, the dashboard, privacy operations,
retention, backup and restore."""

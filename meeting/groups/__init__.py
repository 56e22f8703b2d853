"""Support groups, their guidelines and meetings: tables and the default guidelines text
(`models`), and the rules for creating, joining, accepting and scheduling (`service`)."""

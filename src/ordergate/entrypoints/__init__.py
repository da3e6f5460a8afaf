"""The ways in: REST API, CLI, web blotter."""

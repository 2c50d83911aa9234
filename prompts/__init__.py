"""Every text a user reads that is not data: help, start and decline messages, LLM prompts."""

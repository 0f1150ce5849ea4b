"""A participant's phone page: joining, their ideas, their dots."""

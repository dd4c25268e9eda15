"""Worker recommendations: programs at partner colleges, the courses that matter, net cost and reasons."""
